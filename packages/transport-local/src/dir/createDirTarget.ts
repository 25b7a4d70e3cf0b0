import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { TargetUnusableError, type Target } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";

/**
 * A `dir:` target: a directory on this machine used as a system's root (install-to-dir,
 * containers, chroots). Refuses, before any step, a directory that is missing, not a
 * directory, not writable, this machine's own `/`, or not owned by root with mode 0755
 * (a root with other modes breaks the installed system, as `nixos-install` warns).
 *
 * @example
 * ```ts
 * const target = await createDirTarget("/srv/roots/web");
 * if (target.isOk()) await target.value.exec(["ls", target.value.root]);
 * ```
 */
export function createDirTarget(path: string): ResultAsync<Target, TargetUnusableError> {
  const uri = `dir:${path}`;
  const unusable = (message: string, cause?: unknown) => new TargetUnusableError(uri, message, { cause });
  const absolute = resolve(path);
  return ResultAsync.fromPromise(realpath(absolute), (cause) =>
    unusable(`${uri}: ${absolute} does not exist; create it with "mkdir -m 0755 ${absolute}" or name an existing directory`, cause),
  )
    .andThen((root) =>
      root === "/"
        ? errAsync(unusable(`${uri} is this machine's own root; name another directory`))
        : ResultAsync.fromPromise(stat(root), (cause) => unusable(`${uri}: cannot read ${root}`, cause)).map((st) => ({ root, st })),
    )
    .andThen(({ root, st }) => {
      if (!st.isDirectory()) return errAsync(unusable(`${uri}: ${root} is not a directory`));
      const mode = st.mode & 0o7777;
      if (st.uid !== 0 || mode !== 0o755) {
        return errAsync(
          unusable(
            `${uri}: ${root} has owner ${st.uid} and mode ${mode.toString(8).padStart(4, "0")}; a system root must be owned by root with mode 0755 (chown 0:0 ${root} && chmod 0755 ${root})`,
          ),
        );
      }
      return ResultAsync.fromPromise(access(root, constants.W_OK), (cause) =>
        unusable(`${uri}: ${root} is not writable (${(cause as NodeJS.ErrnoException).code ?? "denied"})`, cause),
      ).map(() => root);
    })
    .map(
      (root): Target => ({
        uri,
        root,
        capabilities: { root: process.getuid?.() === 0, remote: false },
        exec: execLocal,
        close: () => okAsync(undefined),
      }),
    );
}
