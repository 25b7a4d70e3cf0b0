# stage_from_installer ROOT PATH...: puts store paths the installer holds in RAM into the
# new root's staging folder, complete and marked as the copy engine marks what it
# received, so the copy that follows moves them into the store instead of sending them.
set -eu
root=$1
shift
incoming="$root/nix/store/.nixos-via-incoming"
mkdir -p -m 0755 "$root/nix" "$root/nix/store"
mkdir -p -m 0700 "$incoming" "$incoming/.done"
for path in "$@"; do
  name=${path##*/}
  if staged_ok "$incoming" "$name"; then continue; fi
  rm -rf "${incoming:?}/$name" "$incoming/.done/$name"
  cp -a "$path" "$incoming/$name"
  path_manifest "$incoming/$name" > "$incoming/.done/$name"
done
echo "staged $# store paths from the installer's RAM"
