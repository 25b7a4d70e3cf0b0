import { chmod, mkdtemp, rmdir } from "node:fs/promises";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { TransportError } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import releaseScript from "./releaseMountRoot.sh";

/** A fresh, empty folder (root-owned, 0755) where a target's filesystems are mounted. */
export function createMountRoot(): ResultAsync<string, TransportError> {
  return ResultAsync.fromPromise(
    mkdtemp("/run/nixos-via-").then(async (dir) => {
      await chmod(dir, 0o755);
      return dir;
    }),
    (cause) => new TransportError("cannot create a mount folder under /run", { cause }),
  );
}

/**
 * Releases a mount root whatever state a run left it in: everything mounted below it is
 * unmounted (deepest first, lazily if busy), then the folder is removed.
 */
export function releaseMountRoot(root: string): ResultAsync<void, TransportError> {
  return execLocal(["sh", "-c", releaseScript, "nixos-via-release", root])
    .andThen((r) =>
      r.exitCode === 0 ? okAsync(undefined) : errAsync(new TransportError(`cannot unmount ${root}`, { details: r.stderr })),
    )
    .andThen(() => ResultAsync.fromPromise(rmdir(root), (cause) => new TransportError(`cannot remove ${root}`, { cause })));
}
