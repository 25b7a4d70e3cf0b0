import { err, ok, type Result } from "neverthrow";
import type { Disk, Layout } from "./Layout.js";
import { UsageError } from "../errors/errors.js";
import type { LayoutProblem } from "./LayoutValidationError.js";
import { ownValue } from "./ownValue.js";

/** Inputs of {@link resolveDiskDevices} besides the layout. */
export interface ResolveDiskDevicesParameters {
  /** `--disk NAME=DEV`: the override, for any disk. @default {} */
  readonly named?: Readonly<Record<string, string>>;
  /**
   * The whole disk this install names to go onto (`disk:/dev/sdb`, an image's loop device,
   * the one `--wipe` of an `ssh://` install): the device of a one-disk layout.
   */
  readonly targetDevice?: string | undefined;
  /**
   * Whether the layout's own `device`s are devices of the machine the steps run on: true
   * for `ssh://` (the layout was written for that machine), false for `disk:`/`image:`,
   * whose steps run here, where those names mean other disks.
   * @default false
   */
  readonly layoutDevices?: boolean;
}

/** A disk whose device is not given or not clear: the arguments must say (exit code 2 in the CLI). */
export type ResolveDiskDevicesErrorType = UsageError;

/** Inherits nothing, so a disk may be called `constructor`. */
const NO_DEVICES: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

/**
 * Decides the device of each disk of a layout, in one place. For each disk, the first
 * that applies: `named` (`--disk NAME=DEV`); the layout's own `device` when
 * `layoutDevices`; `targetDevice` for a one-disk layout. A one-disk layout whose own
 * device is not `targetDevice` is refused rather than guessed. Devices named for disks the
 * layout does not have are kept, for {@link planLayout} to refuse. Whether a device may be
 * erased (`--wipe`) and is unused is for the caller to check; {@link planLayout} says in
 * its plan when a disk is not on the device the layout names.
 *
 * @example
 * ```ts
 * const devices = resolveDiskDevices(layout, { layoutDevices: true, named: { data: "/dev/sdc" } });
 * if (devices.isOk()) planLayout(layout, { devices: devices.value, mountRoot: "/mnt" });
 * ```
 */
export function resolveDiskDevices(
  layout: Layout,
  { named = NO_DEVICES, targetDevice, layoutDevices = false }: ResolveDiskDevicesParameters,
): Result<Record<string, string>, ResolveDiskDevicesErrorType> {
  const disks = layout.disk ?? {};
  const names = Object.keys(disks).sort();
  const oneDiskTarget = names.length === 1 ? targetDevice : undefined;
  const devices = Object.assign(Object.create(null) as Record<string, string>, named);
  const problems: string[] = [];
  for (const name of names) {
    if (ownValue(named, name) !== undefined) continue;
    const own = layoutDevices ? ownValue(disks, name)?.device : undefined;
    if (own !== undefined && oneDiskTarget !== undefined && own !== oneDiskTarget) {
      problems.push(conflictMessage(name, own, oneDiskTarget));
      continue;
    }
    const device = own ?? oneDiskTarget;
    if (device === undefined) problems.push(noDeviceProblem(name, ownValue(disks, name)).message);
    else devices[name] = device;
  }
  if (problems.length === 0) return ok(devices);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more disk${problems.length === 2 ? "" : "s"})` : "";
  return err(new UsageError(`${problems[0]}${more}`, { details: problems.join("\n") }));
}

/** A disk without a device, said without claiming the layout names none when it does. */
export function noDeviceProblem(name: string, disk: Disk | undefined): LayoutProblem {
  const message =
    disk?.device === undefined
      ? `disk ${name} has no device: pass --disk ${name}=/dev/…`
      : `disk ${name}: the layout's ${disk.device} is a device of the machine it was written for, not used here: pass --disk ${name}=/dev/…`;
  return { path: `disk.${name}`, message };
}

function conflictMessage(name: string, own: string, target: string): string {
  return `the layout puts disk ${name} on ${own}, but ${target} is named to install onto: pass --disk ${name}=${target} to override the layout, or name ${own}`;
}
