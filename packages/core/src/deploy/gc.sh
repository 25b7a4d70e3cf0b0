set -u
root=$1
mkdir -p "$root/nix/var/nix/gcroots"
[ -L "$root/nix/var/nix/gcroots/profiles" ] || ln -sfn /nix/var/nix/profiles "$root/nix/var/nix/gcroots/profiles"
# Nothing reads this step's stdout: where no nix-store can read the root, the error= line
# goes to stderr, which the failed step shows, and the step fails (it collected nothing).
select_nix_store "$root" >&2 || exit 1
# Nix's memory manager (Boehm GC) warns on stderr where /proc is not mounted (some
# containers, chroots, rescue systems): "GC Warning: Could not open /proc/stat". Those
# lines say nothing about the collection, so they are dropped; its exit status is kept.
exec 3>&1
status=$({ { nix_store --gc 2>&1 1>&3 3>&-; echo "$?" >&4; } | grep -v '^GC Warning: ' >&2; } 4>&1)
exit "$status"
