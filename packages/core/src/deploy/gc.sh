set -u
root=$1
mkdir -p "$root/nix/var/nix/gcroots"
[ -L "$root/nix/var/nix/gcroots/profiles" ] || ln -sfn /nix/var/nix/profiles "$root/nix/var/nix/gcroots/profiles"
select_nix_store "$root" || exit 0
nix_store --gc
