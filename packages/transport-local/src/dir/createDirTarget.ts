import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { TargetUnusableError, type Target } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";

/** Folders of this machine that are never a root to install into. */
const SYSTEM_FOLDERS = new Set(["/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/nix", "/opt", "/proc", "/root", "/run", "/sbin", "/sys", "/tmp", "/usr", "/var", "/var/lib", "/var/tmp", "/var/cache", "/var/log"]);
/** Trees of this machine no root may live inside. */
const SYSTEM_TREES = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/nix", "/proc", "/sbin", "/sys", "/usr"];

/** Why `root` (a real path) is this machine's own, or undefined when it is not. */
function hostFolder(root: string): string | undefined {
  if (root === "/") return "this machine's own root";
  if (SYSTEM_FOLDERS.has(root)) return `this machine's own ${root}`;
  const tree = SYSTEM_TREES.find((t) => root.startsWith(`${t}/`));
  return tree === undefined ? undefined : `inside this machine's own ${tree}`;
}

/**
 * A `dir:` target: a directory on this machine used as a system's root (install-to-dir,
 * containers, chroots). Refuses, before any step, a directory that is missing, not a
 * directory, not writable, this machine's own `/` or one of its system folders (`/etc`,
 * `/nix`, `/usr`, `/var`, … or a symlink to one: a root's activation writes its `/etc`, its
 * `/nix/var`), or not owned by root with mode 0755 (a root with other modes breaks the
 * installed system, as `nixos-install` warns).
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
    .andThen((root) => {
      const own = hostFolder(root);
      return own !== undefined
        ? errAsync(unusable(`${uri} is ${own}${root === absolute ? "" : ` (${absolute} leads to ${root})`}; name another directory, e.g. /srv/roots/NAME`))
        : ResultAsync.fromPromise(stat(root), (cause) => unusable(`${uri}: cannot read ${root}`, cause)).map((st) => ({ root, st }));
    })
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
        capabilities: { root: process.getuid?.() === 0, remote: false, hostNix: true, running: false },
        exec: execLocal,
        close: () => okAsync(undefined),
      }),
    );
}
