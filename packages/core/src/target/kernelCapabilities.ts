import kernelCapabilities from "./kernelCapabilities.sh";

/**
 * Kernel features a layout may need, and the module that brings each: the modules
 * {@link KERNEL_CAPABILITIES} looks for (`kernelCapabilities.sh` names them; a unit test
 * holds the two together).
 */
export const FEATURE_MODULES: Readonly<Record<string, string>> = { "device-mapper": "dm_mod", "dm-crypt": "dm_crypt", md: "md_mod" };

/**
 * Shell functions (a library, `kernelCapabilities.sh`) defining
 * `kernel_capabilities PROC SYS MODULES`: prints `filesystem=NAME`
 * for each file system the running kernel mounts now (every line of `PROC/filesystems`,
 * `nodev` ones such as tmpfs included) or has a module for, and `feature=NAME` for
 * device-mapper, dm-crypt and md. The file systems it looks for as modules are those a layout
 * may need (vfat, ext2/3/4, xfs, btrfs, f2fs). MODULES is the running kernel's module tree
 * (`/lib/modules/$(uname -r)`): a module counts when `modules.builtin` or `modules.dep`
 * lists its file, or `modules.alias` has the file system's `fs-NAME` alias. Those are the
 * files kmod's and busybox's modprobe both load from, so the answer holds for either;
 * `modprobe -n`, which busybox lacks, is not used. Arguments are paths so tests can give
 * fake ones.
 */
export const KERNEL_CAPABILITIES: string = kernelCapabilities;
