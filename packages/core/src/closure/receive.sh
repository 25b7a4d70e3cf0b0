set -eu
root=$1
compression=$2
# promote: move every complete staged path into the store at the end; stage: leave them
# staged for the copy step that follows (a delta step before the full one), listed in
# .verified; after-stage: that copy step, which promotes them too.
finish=${3:-promote}
# zstd's window (log2 bytes) where it is wider than the 128 MiB zstd -d reads unasked.
window=${4:-}
store="$root/nix/store"
incoming="$store/.nixos-via-incoming"
done="$incoming/.done"
mkdir -p -m 0755 "$root/nix" "$store"
mkdir -p -m 0700 "$incoming" "$done"
rm -f "$incoming/.end"
rm -rf "$incoming/.patch"
# The paths the stage step just before this one (same plan) completed are trusted as it
# listed them: checking each again with find costs ~10 forks a path (703 paths: 15 s).
# Everything else staged (a cut run's, or a list no step of this plan wrote) is checked.
verified=' '
if [ "$finish" = after-stage ] && [ -f "$incoming/.verified" ]; then
  while IFS= read -r name; do verified="$verified$name "; done < "$incoming/.verified"
fi
rm -f "$incoming/.verified"
for path in "$incoming"/*; do
  [ -e "$path" ] || [ -L "$path" ] || continue
  name=${path##*/}
  case $verified in *" $name "*) [ -f "$done/$name" ] && continue ;; esac
  staged_ok "$incoming" "$name" || rm -rf "$path" "$done/${name:?}"
done
for mark in "$done"/*; do
  [ -e "$mark" ] || continue
  [ -e "$incoming/${mark##*/}" ] || [ -L "$incoming/${mark##*/}" ] || rm -f "$mark"
done
# GNU tar writes absolute symlinks (all over a store) as empty placeholder files and makes
# them links only when the archive ends, holding back its folders' modes until then: a cut
# stream would leave "complete" paths with placeholders. -P makes the links at once. The
# stream is our own, so the check -P turns off has nothing to catch. busybox tar has no
# placeholders (and no -P).
if tar --version 2>/dev/null | grep -q 'GNU tar'; then set -- -P; else set --; fi
case "$compression" in
  none) tar -x "$@" -f - -C "$incoming" ;;
  gzip) gzip -dc | tar -x "$@" -f - -C "$incoming" ;;
  zstd) zstd -dcq ${window:+"--long=$window"} | tar -x "$@" -f - -C "$incoming" ;;
  *) echo "unknown compression $compression" >&2; exit 2 ;;
esac
if [ ! -e "$incoming/.end" ]; then
  echo "nixos-via-receive: the stream ended early; complete paths stay staged for the next run" >&2
  exit 1
fi
rm -f "$incoming/.end"
if [ -d "$incoming/.patch" ]; then
  failed=0
  for list in "$incoming/.patch"/*.list; do
    [ -e "$list" ] || continue
    name=${list##*/}
    name=${name%.list}
    apply_patches "$store" "$incoming" "$name" || {
      echo "nixos-via-receive: $name did not rebuild to the sender's bytes from its predecessor; it is not kept (nixos-via --no-delta sends it in full)" >&2
      rm -rf "${incoming:?}/${name:?}" "$done/${name:?}"
      failed=1
    }
  done
  rm -rf "$incoming/.patch"
  [ "$failed" = 0 ] || exit 1
fi
if [ "$finish" = stage ]; then
  for mark in "$done"/*; do
    [ -e "$mark" ] || continue
    if [ -e "$incoming/${mark##*/}" ] || [ -L "$incoming/${mark##*/}" ]; then printf '%s\n' "${mark##*/}"; fi
  done > "$incoming/.verified"
  exit 0
fi
# One mv per 256 paths, not one per path: forks are what a loaded target pays for (703
# paths: 14 of 18 s on the benchmark's busy machine). Store path names hold no blanks.
set --
for mark in "$done"/*; do
  [ -e "$mark" ] || continue
  name=${mark##*/}
  if [ -e "$incoming/$name" ] || [ -L "$incoming/$name" ]; then
    if [ -e "$store/$name" ] || [ -L "$store/$name" ]; then rm -rf "$store/${name:?}"; fi
    set -- "$@" "$incoming/$name"
    if [ $# -ge 256 ]; then mv -f "$@" "$store/" && set --; fi
  fi
done
if [ $# -gt 0 ]; then mv -f "$@" "$store/"; fi
rm -rf "$incoming"
