import { err, ok } from "neverthrow";
import { checkBlockDevice, UsageError, type Transport } from "@nixos-via/core";
import { hostTarget } from "../exec/hostTarget.js";
import { PLANNED_ROOT } from "../exec/plannedRoot.js";
import { createDiskTarget } from "./createDiskTarget.js";

/** The `disk:/dev/DEVICE` transport: a local block device that a layout erases. */
export const diskTransport: Transport<{ readonly uri: string; readonly device: string }> = {
  scheme: "disk",
  usage: "disk:/dev/DEVICE",
  holdsSystem: false,
  installOptions: ["layout", "wipe", "disks", "extraFiles"],
  layoutDisks: "target",
  parse: (uri) => {
    const device = uri.slice("disk:".length);
    return uri.startsWith("disk:") && /^\/dev\/[^/]/.test(device)
      ? ok({ uri, device })
      : err(new UsageError(`"${uri}" is not a block device under /dev: use disk:/dev/DEVICE`));
  },
  open: (spec, options) => {
    if (options.dryRun) {
      const target = hostTarget(spec.uri, PLANNED_ROOT);
      return checkBlockDevice(target, spec.device, spec.uri).map(() => ({ target, device: spec.device, discard: () => target.close() }));
    }
    // The one guard for the target's own disk is createDiskTarget's: it must be named exactly.
    const wipe = options.wipe?.includes(spec.device) ? spec.device : options.wipe?.[0];
    return createDiskTarget(spec.device, { wipe }).map((target) => ({ target, device: target.device, discard: () => target.close() }));
  },
};
