import { execa } from "execa";
import { ResultAsync } from "neverthrow";
import { enterArgv, profilePaths, TransportError } from "@nixos-via/core";

/**
 * `nixos-enter` for a `dir:` root, attached to this terminal: its own mount, PID and UTS
 * namespaces, /dev /proc /sys bound, the current system activated, then `argv` (a shell
 * by default). Resolves to the command's exit code.
 *
 * @example
 * ```ts
 * const code = await enterRoot("/srv/roots/web", ["cat", "/run/current-system/nixos-version"]);
 * ```
 */
export function enterRoot(root: string, argv: readonly string[]): ResultAsync<number, TransportError> {
  const command = argv.length > 0 ? argv : ["/run/current-system/sw/bin/sh", "-l"];
  // Inside the root: the root's own profile, as the chrooted activation sees it.
  const [file, ...args] = enterArgv(root, `${profilePaths("/").system}/activate`, command);
  return ResultAsync.fromPromise(
    execa(file!, args, { stdio: "inherit", reject: false }).then((r) => r.exitCode ?? 1),
    (cause) => new TransportError(`cannot enter ${root}`, { cause }),
  );
}
