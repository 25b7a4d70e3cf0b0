import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { InvalidSystemError, UsageError, type TransportError } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import { nixEnv } from "./nixEnv.js";

/**
 * Builds `nixosConfigurations.NAME.config.system.build.toplevel` of a flake on this
 * machine and returns the toplevel's store path.
 *
 * @param ref - `FLAKE#NAME`, e.g. `.#web` or `github:me/infra#web`.
 * @example
 * ```ts
 * const toplevel = await buildFlake(".#web");
 * ```
 */
export function buildFlake(
  ref: string,
  onOutput?: (chunk: Uint8Array) => void,
): ResultAsync<string, UsageError | InvalidSystemError | TransportError> {
  const hash = ref.lastIndexOf("#");
  if (hash < 0 || hash === ref.length - 1) {
    return errAsync(new UsageError(`--flake "${ref}" names no configuration; use FLAKE#NAME, e.g. .#web`));
  }
  const flake = ref.slice(0, hash) || ".";
  const name = ref.slice(hash + 1);
  const attr = `${flake}#nixosConfigurations.${JSON.stringify(name)}.config.system.build.toplevel`;
  return execLocal(["nix", "build", "--no-link", "--json", attr], {
    env: nixEnv(),
    ...(onOutput ? { onStderr: onOutput } : {}),
  }).andThen((r) => {
    if (r.exitCode !== 0) {
      return errAsync(new InvalidSystemError(ref, `building ${attr} failed`, { details: r.stderr.trim() }));
    }
    try {
      const built = JSON.parse(r.stdout) as { outputs?: Record<string, string> }[];
      const out = built[0]?.outputs?.["out"];
      if (out !== undefined) return okAsync(out);
    } catch {
      // fall through to the error below
    }
    return errAsync(new InvalidSystemError(ref, `nix build ${attr} printed no output path`, { details: r.stdout }));
  });
}
