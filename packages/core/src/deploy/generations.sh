set -u
root=$1
profiles="$root/nix/var/nix/profiles"
if [ -L "$profiles/system" ]; then echo "current $(readlink "$profiles/system")"; fi
[ -e "$root/nix/var/nix/db/db.sqlite" ] || exit 0
select_nix_store "$root" || exit 0
for link in "$profiles"/system-*-link; do
  [ -L "$link" ] || continue
  toplevel=$(readlink "$link")
  echo "generation ${link##*/} $(stat -c %Y "$link") $toplevel"
  nix_store --query --requisites "$toplevel" | nix_store_xargs --dump-db
  echo "end"
done
