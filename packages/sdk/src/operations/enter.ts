import { errAsync, type ResultAsync } from "neverthrow";
import { UsageError } from "@nixos-via/core";
import { createDirTarget, enterRoot } from "@nixos-via/transport-local";
import type { EnterError } from "../errors/operationErrorCodes.js";
import { requireSystemProfile } from "./requireSystemProfile.js";

/** Options of {@link enter}. */
export interface EnterParameters {
  /** A `dir:` root holding a system. */
  readonly target: string;
  /** The command to run inside. @default an interactive shell */
  readonly command?: readonly string[] | undefined;
}

/**
 * Runs a command (or a shell) inside a `dir:` root, as `nixos-enter` does: its own
 * namespaces, the system activated first. Resolves to the command's exit code.
 *
 * @example
 * ```ts
 * const code = await enter({ target: "dir:/srv/roots/web", command: ["nixos-version"] });
 * ```
 */
export function enter(parameters: EnterParameters): ResultAsync<number, EnterError> {
  if (!parameters.target.startsWith("dir:")) return errAsync(new UsageError("enter works on dir: roots; for ssh:// use ssh itself"));
  return createDirTarget(parameters.target.slice("dir:".length))
    .andThen(requireSystemProfile)
    .andThen((target) => enterRoot(target.root, parameters.command ?? []));
}
