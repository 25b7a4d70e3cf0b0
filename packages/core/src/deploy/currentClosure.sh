set -u
root=$1
profiles="$root/nix/var/nix/profiles"
if [ ! -e "$root/nix/var/nix/db/db.sqlite" ]; then echo 'none'; exit 0; fi
if [ "$root" = / ] && [ -e /run/current-system ]; then
  current=$(readlink -f /run/current-system)
elif [ -L "$profiles/system" ]; then
  # Resolved by hand: the links are absolute inside the root, not on this machine.
  current=$(readlink "$profiles/system")
  case "$current" in /*) ;; *) current=$(readlink "$profiles/$current") ;; esac
else
  echo 'none'; exit 0
fi
select_nix_store "$root" || exit 0
paths=$(nix_store --query --requisites "$current") || { echo 'error=nix-store could not list the current system closure'; exit 0; }
echo 'closure'
printf '%s\n' "$paths" | nix_store_xargs --dump-db
