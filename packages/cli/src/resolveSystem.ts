import { errAsync, type ResultAsync } from "neverthrow";
import { UsageError, type NixosSystem, type NixosViaError } from "@nixos-via/core";
import type { LocalStore } from "@nixos-via/transport-local";

/** How the user named the system: a built toplevel, or a flake configuration to build. */
export interface SystemOptions {
  readonly system?: string | undefined;
  readonly flake?: string | undefined;
}

/**
 * Reads the system to install from `--system PATH`, or builds `--flake REF#NAME` first.
 *
 * @example
 * ```ts
 * const system = await resolveSystem(store, { flake: ".#web" });
 * ```
 */
export function resolveSystem(
  store: LocalStore,
  options: SystemOptions,
  onBuildOutput?: (chunk: Uint8Array) => void,
): ResultAsync<NixosSystem, NixosViaError> {
  if ((options.system === undefined) === (options.flake === undefined)) {
    return errAsync(new UsageError("name the system with exactly one of --system PATH or --flake REF#NAME"));
  }
  if (options.system !== undefined) return store.readSystem(options.system);
  return store.buildFlake(options.flake!, onBuildOutput).andThen((toplevel) => store.readSystem(toplevel));
}
