import { stat } from "node:fs/promises";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { TargetUnusableError, UsageError, type NixosViaError } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";

/**
 * Every check an `image:` target makes before it touches anything, shared by the real run
 * and the dry run so both refuse the same way: the path is a regular file or missing, a
 * missing one comes with a size to create it, and an existing one is not attached to a
 * loop device already (`losetup -j`). Resolves to whether the file exists.
 *
 * @example
 * ```ts
 * const exists = await checkImageFile("image:web.img", "/srv/web.img", 4 * 2 ** 30);
 * ```
 */
export function checkImageFile(uri: string, path: string, createSize: number | undefined): ResultAsync<boolean, NixosViaError> {
  return ResultAsync.fromSafePromise(stat(path).then((s) => s, () => undefined)).andThen((st) => {
    if (st !== undefined && !st.isFile()) return errAsync(new TargetUnusableError(uri, `${path} exists and is not a regular file`));
    if (st === undefined) {
      return createSize === undefined ? errAsync(new UsageError(`${path} does not exist; pass --image-size SIZE (e.g. 4G) to create it`)) : okAsync(false);
    }
    return execLocal(["losetup", "-j", path]).andThen((r) =>
      r.stdout.trim() !== ""
        ? errAsync(new TargetUnusableError(uri, `${path} is attached already (${r.stdout.trim().split(":")[0]}); detach it first`))
        : okAsync(true),
    );
  });
}
