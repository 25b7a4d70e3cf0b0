# block_device_facts DEV: prints, for a block device and each of its partitions, what
# makes it in use, one fact a line: notblock, nosys, partition, mounted=NAME MOUNTPOINT
# (by device number or by source path, which catches btrfs), swap=NAME, holder=NAME HOLDER
# (LVM, LUKS, md…), then "checked". Reads only /sys and /proc. The one check of "in use":
# checkBlockDevice (before any step) and the layout's wipe step (just before it) both
# read it.
block_device_facts() {
  bdf_dev=$1
  if [ ! -b "$bdf_dev" ]; then echo notblock; return 0; fi
  bdf_real=$(readlink -f "$bdf_dev")
  bdf_name=${bdf_real##*/}
  bdf_sys=/sys/class/block/$bdf_name
  if [ ! -d "$bdf_sys" ]; then echo nosys; return 0; fi
  if [ -e "$bdf_sys/partition" ]; then echo partition; fi
  for bdf_d in "$bdf_sys" "$bdf_sys/$bdf_name"*; do
    [ -e "$bdf_d/dev" ] || continue
    bdf_n=${bdf_d##*/}
    bdf_mm=$(cat "$bdf_d/dev")
    awk -v mm="$bdf_mm" -v src="/dev/$bdf_n" -v n="$bdf_n" '
      { for (i = 1; i <= NF; i++) if ($i == "-") break }
      $3 == mm || $(i + 2) == src { print "mounted=" n " " $5 }' /proc/self/mountinfo
    if grep -q "^/dev/$bdf_n " /proc/swaps 2>/dev/null; then echo "swap=$bdf_n"; fi
    for bdf_h in "$bdf_d"/holders/*; do
      if [ -e "$bdf_h" ]; then echo "holder=$bdf_n ${bdf_h##*/}"; fi
    done
  done
  echo checked
}
