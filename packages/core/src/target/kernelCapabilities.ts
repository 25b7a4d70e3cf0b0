/** File systems a layout may need that are often loadable modules, not yet in /proc/filesystems. */
const MODULE_FILESYSTEMS = ["vfat", "ext4", "ext3", "ext2", "xfs", "btrfs", "f2fs"] as const;

/** Kernel features a layout may need, and the module that brings each. */
export const FEATURE_MODULES: Readonly<Record<string, string>> = { "device-mapper": "dm_mod", "dm-crypt": "dm_crypt", md: "md_mod" };

/**
 * Shell lines defining `kernel_capabilities PROC SYS MODULES`: prints `filesystem=NAME`
 * for each file system the running kernel mounts now (every line of `PROC/filesystems`,
 * `nodev` ones such as tmpfs included) or has a module for, and `feature=NAME` for
 * device-mapper, dm-crypt and md. MODULES is the running kernel's module tree
 * (`/lib/modules/$(uname -r)`): a module counts when `modules.builtin` or `modules.dep`
 * lists its file, or `modules.alias` has the file system's `fs-NAME` alias. Those are the
 * files kmod's and busybox's modprobe both load from, so the answer holds for either;
 * `modprobe -n`, which busybox lacks, is not used. Arguments are paths so tests can give
 * fake ones.
 */
export const KERNEL_CAPABILITIES = `has_module() {
  pattern="/$(printf '%s' "$2" | sed 's/[-_]/[-_]/g')\\\\.ko"
  grep -q "$pattern" "$1/modules.builtin" 2>/dev/null ||
    grep -q "$pattern" "$1/modules.dep" 2>/dev/null ||
    { [ -n "\${3:-}" ] && grep -q "^alias $3 " "$1/modules.alias" 2>/dev/null; }
}
kernel_capabilities() {
  sed -n 's/^\\(.*[[:space:]]\\)\\{0,1\\}\\([^[:space:]]\\{1,\\}\\)[[:space:]]*$/filesystem=\\2/p' "$1/filesystems" 2>/dev/null
  for fs in ${MODULE_FILESYSTEMS.join(" ")}; do
    if has_module "$3" "$fs" "fs-$fs"; then printf 'filesystem=%s\\n' "$fs"; fi
  done
  if grep -q device-mapper "$1/misc" 2>/dev/null || has_module "$3" ${FEATURE_MODULES["device-mapper"]}; then echo 'feature=device-mapper'; fi
  if [ -e "$2/module/dm_crypt" ] || has_module "$3" ${FEATURE_MODULES["dm-crypt"]}; then echo 'feature=dm-crypt'; fi
  if [ -e "$1/mdstat" ] || has_module "$3" ${FEATURE_MODULES["md"]}; then echo 'feature=md'; fi
}`;
