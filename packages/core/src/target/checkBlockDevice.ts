import { err, ok, type Result, type ResultAsync } from "neverthrow";
import { TargetUnusableError, type NixosViaError } from "../errors/index.js";
import type { Target } from "./Target.js";
import blockDeviceFacts from "./blockDeviceFacts.sh";
import checkBlockDeviceScript from "./checkBlockDevice.sh";

/** The shell function `block_device_facts DEV`: the one definition of "in use" (also the layout's wipe step's). */
export const BLOCK_DEVICE_FACTS: string = blockDeviceFacts;

/**
 * Reports, for a block device and each of its partitions, everything that makes it in
 * use: mounted (by device number or by source path, which catches btrfs), active swap,
 * holders (LVM, LUKS, md, …). Reads only /sys and /proc, so it runs the same on this
 * machine, in a rescue system, or over SSH.
 */
export const CHECK_BLOCK_DEVICE_SCRIPT: string = blockDeviceFacts + checkBlockDeviceScript;

/**
 * Refuses a device that a destructive step must never touch: not a block device, a
 * partition instead of a whole disk, or in use — mounted (this includes the disk the
 * running system or the deployer lives on), active swap, or held by LVM, LUKS or md.
 * Run before the first step of any plan that wipes it.
 *
 * @example
 * ```ts
 * const safe = await checkBlockDevice(target, "/dev/sdb", "disk:/dev/sdb");
 * if (safe.isErr()) console.error(safe.error.message);
 * ```
 */
export function checkBlockDevice(target: Target, device: string, uri: string): ResultAsync<void, NixosViaError> {
  return target
    .exec(["sh", "-c", CHECK_BLOCK_DEVICE_SCRIPT, "nixos-via-check-device", device])
    .andThen((r) => parseBlockDeviceCheck(r.stdout, device, uri));
}

/** Reads the check's output. Exported for tests. */
export function parseBlockDeviceCheck(stdout: string, device: string, uri: string): Result<void, TargetUnusableError> {
  const lines = stdout.split("\n").filter(Boolean);
  const refuse = (why: string) => err(new TargetUnusableError(uri, `${device} ${why}; nothing was touched`));
  if (lines.includes("notblock")) return refuse("is not a block device");
  if (lines.includes("nosys")) return refuse("has no entry in /sys/class/block, so its use cannot be checked");
  if (lines.includes("partition")) return refuse("is a partition; name the whole disk");
  const mounted = lines.filter((l) => l.startsWith("mounted=")).map((l) => l.slice(8));
  if (mounted.length > 0) {
    // A disk holding the root (the running system, or the machine the deployer runs on)
    // cannot be unmounted: saying so would send the user the wrong way.
    const root = mounted.find((m) => m.endsWith(" /"));
    if (root !== undefined) return refuse(`is in use: ${root.slice(0, -2)} holds the running system (mounted at /)`);
    return refuse(`is in use: ${mounted.map((m) => m.replace(" ", " is mounted at ")).join(", ")}; unmount it first`);
  }
  const swap = lines.filter((l) => l.startsWith("swap=")).map((l) => l.slice(5));
  if (swap.length > 0) return refuse(`is in use: ${swap.join(", ")} is active swap; swapoff it first`);
  const holders = lines.filter((l) => l.startsWith("holder=")).map((l) => l.slice(7).replace(" ", " is held by "));
  if (holders.length > 0) return refuse(`is in use: ${holders.join(", ")} (LVM, LUKS or md); release it first`);
  if (!lines.includes("checked")) return refuse("could not be checked");
  return ok(undefined);
}
