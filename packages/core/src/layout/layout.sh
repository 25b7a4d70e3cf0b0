set -eu
fail() { echo "nixos-via-layout: $*" >&2; exit 1; }
resolve() {
  number=${1%%:*}; rest=${1#*:}; label=${rest%%:*}; disk=${rest#*:}
  real=$(readlink -f "$disk") || fail "$disk does not exist"
  base=${real##*/}
  tries=0
  while :; do
    for sys in /sys/class/block/"$base"/"$base"*; do
      { [ -r "$sys/partition" ] && [ "$(cat "$sys/partition")" = "$number" ]; } || continue
      dev=/dev/${sys##*/}
      if [ ! -b "$dev" ] && [ "$tries" -ge 3 ]; then
        majmin=$(cat "$sys/dev")
        mknod "$dev" b "${majmin%%:*}" "${majmin#*:}" 2>/dev/null || true
      fi
      [ -b "$dev" ] || continue
      if [ -n "$label" ] && command -v blkid >/dev/null 2>&1; then
        found=$(blkid -p -s PART_ENTRY_NAME -o value "$dev" 2>/dev/null || true)
        if [ -n "$found" ] && [ "$found" != "$label" ]; then
          fail "partition $number of $disk is labelled $found, not $label"
        fi
      fi
      echo "$dev"
      return 0
    done
    [ "$tries" -lt 10 ] || fail "partition $number of $disk ($real) did not appear"
    partx -u "$real" >/dev/null 2>&1 || partx -a "$real" >/dev/null 2>&1 || true
    tries=$((tries + 1))
    sleep 1
  done
}
substitute() {
  count=$#
  for arg do
    case $arg in
      @part:*) arg=$(resolve "${arg#@part:}") ;;
    esac
    set -- "$@" "$arg"
  done
  shift "$count"
  exec "$@"
}
mode=$1
shift
case $mode in
  run) substitute "$@" ;;
  run-with-password)
    file=$1
    shift
    [ -r "$file" ] || fail "cannot read $file on the target"
    password=$(cat "$file")
    printf '%s' "$password" | substitute "$@" ;;
  wait)
    for ref do
      dev=$(resolve "${ref#@part:}")
      echo "${ref#@part:} is $dev"
    done ;;
  unused)
    facts=$(block_device_facts "$1")
    fact() { printf '%s\n' "$facts" | grep -qx "$1"; }
    if fact notblock; then fail "$1 is not a block device"; fi
    if fact nosys; then fail "$1 has no entry in /sys/class/block, so its use cannot be checked"; fi
    if fact partition; then fail "$1 is a partition, not a whole disk"; fi
    if in_use=$(printf '%s\n' "$facts" | grep -E '^(mounted|swap|holder)='); then
      fail "$1 is in use: $(printf '%s' "$in_use" | tr '\n' ' ')"
    fi ;;
  subvolume)
    dev=$1
    name=$2
    shift 2
    case $dev in @part:*) dev=$(resolve "${dev#@part:}") ;; esac
    top=$(mktemp -d)
    mount -t btrfs -o subvol=/ "$dev" "$top"
    status=0
    btrfs subvolume create "$top/$name" "$@" || status=$?
    umount "$top"
    rmdir "$top"
    exit "$status" ;;
  unmount)
    # /proc/mounts writes a space as \040, a tab as \011, a backslash as \134: undo that
    # before comparing, so mountpoints with such characters are found too.
    if M=$1 awk '
      function unescape(s,  parts, n, i, r) {
        gsub(/\\040/, " ", s); gsub(/\\011/, "\t", s)
        n = split(s, parts, /\\134/); r = parts[1]
        for (i = 2; i <= n; i++) r = r "\\" parts[i]
        return r
      }
      unescape($2) == ENVIRON["M"] { found = 1 }
      END { exit !found }' /proc/mounts; then umount "$1"; fi ;;
  close)
    if [ -e "/dev/mapper/$1" ]; then cryptsetup close "$1"; fi ;;
  deactivate)
    if [ -d "/dev/$1" ]; then vgchange --activate n "$1"; fi ;;
  stop)
    if [ -e "/dev/md/$1" ]; then mdadm --stop "/dev/md/$1"; fi ;;
  *) fail "unknown mode $mode" ;;
esac
