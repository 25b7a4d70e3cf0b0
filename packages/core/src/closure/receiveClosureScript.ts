/**
 * The receiving end of the copy engine, for every target: a POSIX shell script that
 * needs only `tar` (busybox's will do). Arguments: the root directory and the
 * compression of stdin (`none`, `gzip` or `zstd`).
 *
 * Paths are unpacked into a staging folder inside the store (same filesystem, so the
 * final rename is atomic) and each is renamed to its final name only after the whole
 * stream was unpacked: a half-copied path is never visible under its final name. A
 * leftover from an interrupted run is removed first; a complete but unregistered path is
 * replaced, because only registered paths count as present.
 */
export const RECEIVE_CLOSURE_SCRIPT = `set -eu
root=$1
compression=$2
store="$root/nix/store"
incoming="$store/.nixos-via-incoming"
mkdir -p -m 0755 "$root/nix" "$store"
rm -rf "$incoming"
mkdir -m 0700 "$incoming"
case "$compression" in
  none) tar -x -f - -C "$incoming" ;;
  gzip) gzip -dc | tar -x -f - -C "$incoming" ;;
  zstd) zstd -dcq | tar -x -f - -C "$incoming" ;;
  *) echo "unknown compression $compression" >&2; exit 2 ;;
esac
for path in "$incoming"/*; do
  [ -e "$path" ] || [ -L "$path" ] || continue
  name=\${path##*/}
  if [ -e "$store/$name" ] || [ -L "$store/$name" ]; then rm -rf "$store/$name"; fi
  mv "$path" "$store/$name"
done
rmdir "$incoming"
`;

/**
 * The argv that runs {@link RECEIVE_CLOSURE_SCRIPT} on a target.
 *
 * @example
 * ```ts
 * target.exec(receiveClosureScript("/mnt", "none"), { stdin: tarStream });
 * ```
 */
export function receiveClosureScript(root: string, compression: "none" | "gzip" | "zstd"): string[] {
  return ["sh", "-c", RECEIVE_CLOSURE_SCRIPT, "nixos-via-receive", root, compression];
}
