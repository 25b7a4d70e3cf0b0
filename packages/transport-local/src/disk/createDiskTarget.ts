import { errAsync, type ResultAsync } from "neverthrow";
import { checkBlockDevice, TargetUnusableError, type NixosViaError } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import { hostTarget } from "../exec/hostTarget.js";
import type { BlockDeviceTarget } from "./BlockDeviceTarget.js";
import { createMountRoot, releaseMountRoot } from "./mountRoot.js";

/** Options of {@link createDiskTarget}. */
export interface DiskTargetOptions {
  /** The device the user allowed to be erased (`--wipe`): it must name the target's device exactly. */
  readonly wipe?: string | undefined;
}

/**
 * A `disk:` target: a whole local block device (a USB stick, a second disk). Before
 * anything else it refuses a device that is not named exactly by `wipe`, is not a whole
 * block device, or is in use (mounted — which covers the running system's and the
 * deployer's own disk — swap, LVM, LUKS, md).
 *
 * @example
 * ```ts
 * const target = await createDiskTarget("/dev/sdb", { wipe: "/dev/sdb" });
 * ```
 */
export function createDiskTarget(device: string, options: DiskTargetOptions = {}): ResultAsync<BlockDeviceTarget, NixosViaError> {
  const uri = `disk:${device}`;
  if (options.wipe !== device) {
    return errAsync(
      new TargetUnusableError(
        uri,
        options.wipe === undefined
          ? `installing onto ${device} erases it: pass --wipe ${device} to allow that (nothing was touched)`
          : `--wipe ${options.wipe} does not name ${device}; to erase ${device}, pass --wipe ${device}`,
      ),
    );
  }
  return checkBlockDevice(hostTarget(uri), device, uri)
    .andThen(() =>
      createMountRoot().map(
        (root): BlockDeviceTarget => ({
          uri,
          device,
          root,
          capabilities: { root: process.getuid?.() === 0, remote: false, hostNix: true, running: false },
          exec: execLocal,
          close: () => releaseMountRoot(root),
        }),
      ),
    );
}
