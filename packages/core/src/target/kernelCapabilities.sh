# kernel_capabilities PROC SYS MODULES: prints filesystem=NAME for each file system the
# kernel mounts or has a module for, and feature=NAME for device-mapper, dm-crypt and md.
has_module() {
  pattern="/$(printf '%s' "$2" | sed 's/[-_]/[-_]/g')\\.ko"
  grep -q "$pattern" "$1/modules.builtin" 2>/dev/null ||
    grep -q "$pattern" "$1/modules.dep" 2>/dev/null ||
    { [ -n "${3:-}" ] && grep -q "^alias $3 " "$1/modules.alias" 2>/dev/null; }
}
kernel_capabilities() {
  sed -n 's/^\(.*[[:space:]]\)\{0,1\}\([^[:space:]]\{1,\}\)[[:space:]]*$/filesystem=\2/p' "$1/filesystems" 2>/dev/null
  for fs in vfat ext4 ext3 ext2 xfs btrfs f2fs; do
    if has_module "$3" "$fs" "fs-$fs"; then printf 'filesystem=%s\n' "$fs"; fi
  done
  if grep -q device-mapper "$1/misc" 2>/dev/null || has_module "$3" dm_mod; then echo 'feature=device-mapper'; fi
  if [ -e "$2/module/dm_crypt" ] || has_module "$3" dm_crypt; then echo 'feature=dm-crypt'; fi
  if [ -e "$1/mdstat" ] || has_module "$3" md_mod; then echo 'feature=md'; fi
}
