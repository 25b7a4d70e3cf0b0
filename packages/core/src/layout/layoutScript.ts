import { BLOCK_DEVICE_FACTS } from "../target/checkBlockDevice.js";
import layoutScript from "./layout.sh";

/**
 * The one script every layout step that touches a partition runs through
 * (`sh -c LAYOUT_SCRIPT nixos-via-layout MODE ARGS…`). There is no udev on the machines
 * nixos-via installs from (rescue systems, bare initramfs, this host), so no
 * `/dev/disk/by-partlabel`: a partition is named `@part:N:LABEL:DISK` and resolved here
 * through sysfs by its number — `/sys/class/block/<disk>/<disk…>/partition` covers `sda2`,
 * `nvme0n1p2`, `loop3p2` and `md127p2` alike. A missing node is waited for (up to ~10 s,
 * asking the kernel with `partx -u`, then `partx -a`), created from sysfs' major:minor if
 * the kernel knows it but /dev does not, and its GPT label is checked when a `blkid` that
 * can read it exists (busybox's cannot).
 *
 * Modes:
 * - `run CMD ARGS…` runs CMD with every `@part:` argument replaced by its device.
 * - `run-with-password FILE CMD ARGS…` the same, with FILE's content (without trailing
 *   newlines, as disko reads a passwordFile) on stdin: secrets never appear in argv.
 * - `wait REF…` resolves each partition and prints it.
 * - `unused DISK` fails when DISK is not a whole block device, or it or one of its
 *   partitions is mounted, swapped on or held (by device-mapper, md…): the same facts
 *   (`block_device_facts`) {@link checkBlockDevice} judges before the first step.
 * - `subvolume DEV NAME ARGS…` mounts DEV's top level on a temporary directory, creates
 *   the subvolume, unmounts.
 * - `unmount DIR`, `close NAME`, `deactivate VG`, `stop NAME` undo a mount, a LUKS open,
 *   an active volume group, an md array — each only when it is there, so they also clean
 *   up after a run that stopped halfway.
 */
export const LAYOUT_SCRIPT: string = BLOCK_DEVICE_FACTS + layoutScript;

/** The name the layout script runs as; `--dry-run` prints steps as `nixos-via-layout MODE ARGS…`. */
export const LAYOUT_SCRIPT_NAME = "nixos-via-layout";

/**
 * The argv that runs the layout script in `mode` with `args`.
 *
 * @example
 * ```ts
 * layoutArgv("run", ["mkfs.ext4", "-F", "@part:2:disk-main-root:/dev/loop3"]);
 * ```
 */
export function layoutArgv(mode: string, args: readonly string[]): string[] {
  return ["sh", "-c", LAYOUT_SCRIPT, LAYOUT_SCRIPT_NAME, mode, ...args];
}
