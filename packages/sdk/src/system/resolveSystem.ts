import { errAsync, type ResultAsync } from "neverthrow";
import { UsageError, type NixosSystem, type NixosViaError } from "@nixos-via/core";
import type { LocalStore } from "@nixos-via/transport-local";

/** A built toplevel (a store path or a `./result` link), or a flake configuration to build first. */
export type SystemSource = string | { readonly flake: string };

/**
 * Reads the system to install from a built toplevel, or builds a flake's
 * `nixosConfigurations.NAME` first.
 *
 * @example
 * ```ts
 * const system = await resolveSystem(store, { flake: ".#web" });
 * ```
 */
export function resolveSystem(store: LocalStore, source: SystemSource | undefined, onBuildOutput?: (chunk: Uint8Array) => void): ResultAsync<NixosSystem, NixosViaError> {
  if (source === undefined) return errAsync(new UsageError("name the system with exactly one of --system PATH or --flake REF#NAME"));
  if (typeof source === "string") return store.readSystem(source);
  return store.buildFlake(source.flake, onBuildOutput).andThen((toplevel) => store.readSystem(toplevel));
}
