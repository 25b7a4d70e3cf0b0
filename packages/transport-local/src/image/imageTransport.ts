import { resolve } from "node:path";
import { err, ok } from "neverthrow";
import { UsageError, type Transport } from "@nixos-via/core";
import { hostTarget } from "../exec/hostTarget.js";
import { PLANNED_ROOT } from "../exec/plannedRoot.js";
import { checkImageFile } from "./checkImageFile.js";
import { createImageTarget } from "./createImageTarget.js";

/** The `image:FILE` transport: a disk image file, attached as a loop device (created when missing). */
export const imageTransport: Transport<{ readonly uri: string; readonly file: string }> = {
  scheme: "image",
  usage: "image:FILE",
  holdsSystem: false,
  installOptions: ["layout", "disks", "imageSize", "extraFiles"],
  layoutDisks: "target",
  parse: (uri) => {
    const file = uri.slice("image:".length);
    return uri.startsWith("image:") && file !== "" ? ok({ uri, file }) : err(new UsageError(`"${uri}" names no image file: use image:FILE`));
  },
  open: (spec, options) => {
    // A dry run attaches and creates nothing, but refuses what the real run refuses.
    if (options.dryRun) {
      return checkImageFile(spec.uri, resolve(spec.file), options.imageSize).map(() => {
        const target = hostTarget(spec.uri, PLANNED_ROOT);
        return { target, device: "/dev/loopN", discard: () => target.close() };
      });
    }
    return createImageTarget(spec.file, { createSize: options.imageSize }).map((target) => ({ target, device: target.device, discard: () => target.discard() }));
  },
};
