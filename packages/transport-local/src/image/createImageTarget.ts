import { constants } from "node:fs";
import { open, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { checkBlockDevice, TargetUnusableError, TransportError, type NixosViaError } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import { hostTarget } from "../exec/hostTarget.js";
import { checkImageFile } from "./checkImageFile.js";
import type { BlockDeviceTarget } from "../disk/BlockDeviceTarget.js";
import { createMountRoot, releaseMountRoot } from "../disk/mountRoot.js";

/** Options of {@link createImageTarget}. */
export interface ImageTargetOptions {
  /** Size in bytes of the image to create when the file does not exist. @default none: the file must exist */
  readonly createSize?: number | undefined;
}

/** An `image:` target; `discard()` removes an image this run created (after a failure). */
export interface ImageTarget extends BlockDeviceTarget {
  /** The image file was created by this target. */
  readonly created: boolean;
  /** Closes the target, then deletes the image if this target created it. */
  discard(): ResultAsync<void, NixosViaError>;
}

/**
 * An `image:` target: a disk image file attached as a loop device with partition
 * scanning (`losetup -fP`). Creates a sparse file of `createSize` bytes when the file does
 * not exist. Refuses a file that is attached already. Works without udev: partition
 * nodes are found by the layout's own resolution script.
 *
 * @example
 * ```ts
 * const target = await createImageTarget("web.img", { createSize: 4 * 2 ** 30 });
 * ```
 */
export function createImageTarget(file: string, options: ImageTargetOptions = {}): ResultAsync<ImageTarget, NixosViaError> {
  const uri = `image:${file}`;
  const path = resolve(file);
  return checkImageFile(uri, path, options.createSize)
    .andThen((exists) => (exists ? okAsync(false) : createSparse(uri, path, options.createSize!).map(() => true)))
    .andThen((created) =>
      execLocal(["losetup", "-f", "-P", "--show", path]).andThen((r) => {
        if (r.exitCode === 0) return okAsync({ created, device: r.stdout.trim() });
        const failed = new TransportError(`cannot attach ${path} as a loop device`, { details: r.stderr.trim() });
        // An image this run created and cannot use is not left behind.
        return created ? removeFile(path).andThen(() => errAsync(failed)) : errAsync(failed);
      }),
    )
    .andThen(({ created, device }) => {
      const detach = () => execLocal(["losetup", "-d", device]).map(() => undefined);
      return checkBlockDevice(hostTarget(uri), device, uri)
        .andThen(() => createMountRoot())
        .orElse((error) => detach().andThen(() => errAsync(error)))
        .map((root): ImageTarget => {
          const close = () => releaseMountRoot(root).andThen(detach);
          return {
            uri,
            device,
            root,
            created,
            capabilities: { root: process.getuid?.() === 0, remote: false, hostNix: true, running: false },
            exec: execLocal,
            close,
            discard: () => close().andThen(() => (created ? removeFile(path) : okAsync(undefined))),
          };
        });
    });
}

function removeFile(path: string): ResultAsync<void, NixosViaError> {
  return ResultAsync.fromPromise(rm(path, { force: true }), (cause) => new TransportError(`cannot remove ${path}`, { cause }));
}

function createSparse(uri: string, path: string, size: number): ResultAsync<void, NixosViaError> {
  return ResultAsync.fromPromise(
    open(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644).then(async (fh) => {
      try {
        await fh.truncate(size);
      } finally {
        await fh.close();
      }
    }),
    (cause) => new TargetUnusableError(uri, `cannot create ${path}: ${(cause as Error).message}`, { cause }),
  );
}
