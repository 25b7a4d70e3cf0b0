# apply_patches STORE INCOMING NAME: rebuilds the files of the staged path INCOMING/NAME
# that arrived as zstd deltas (INCOMING/.patch/NAME.list: per file a line "N x|- SHA256",
# the predecessor's file relative to STORE, the file relative to the path; the delta in
# INCOMING/.patch/NAME.d/N) with this machine's zstd, and moves each into the path only
# after every rebuilt file of the path matched its SHA-256: until then the path misses
# files, so no check (staged_ok, the end of the copy) can take it for complete.
apply_patches() {
  patches="$2/.patch/$3.d"
  : > "$patches/sums" || return 1
  while read -r n x sum; do
    IFS= read -r from && IFS= read -r to || return 1
    zstd -dqf --patch-from="$1/$from" -o "$patches/$n.out" "$patches/$n" || return 1
    printf '%s  %s\n' "$sum" "$patches/$n.out" >> "$patches/sums"
  done < "$2/.patch/$3.list"
  sha256sum -c "$patches/sums" > /dev/null || return 1
  while read -r n x sum; do
    IFS= read -r from && IFS= read -r to || return 1
    if [ "$x" = x ]; then chmod 0555 "$patches/$n.out"; else chmod 0444 "$patches/$n.out"; fi
    TZ=UTC0 touch -t 197001010000.01 "$patches/$n.out" && mv -f "$patches/$n.out" "$2/$3/$to" || return 1
  done < "$2/.patch/$3.list"
}
