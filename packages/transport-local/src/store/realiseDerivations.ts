import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { InvalidSystemError, type TransportError } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import { nixEnv } from "./nixEnv.js";

/**
 * Builds derivations on this machine in one `nix-store --realise` call, so a path that
 * many of them share is built once, with at most `maxJobs` builds at a time.
 *
 * @example
 * ```ts
 * await realiseDerivations(["/nix/store/…-nixos-system-web.drv"], { maxJobs: 4 });
 * ```
 */
export function realiseDerivations(
  drvPaths: readonly string[],
  options: { readonly maxJobs?: number | undefined; readonly onOutput?: ((chunk: Uint8Array) => void) | undefined; readonly signal?: AbortSignal | undefined } = {},
): ResultAsync<readonly string[], InvalidSystemError | TransportError> {
  const unique = [...new Set(drvPaths)];
  if (unique.length === 0) return okAsync([]);
  return execLocal(["nix-store", "--realise", "--max-jobs", String(options.maxJobs ?? 4), ...unique], {
    env: nixEnv(),
    ...(options.onOutput ? { onStderr: options.onOutput } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }).andThen((r) =>
    r.exitCode === 0
      ? okAsync(r.stdout.split("\n").filter(Boolean))
      : errAsync(new InvalidSystemError(unique[0]!, `building ${unique.length === 1 ? "the system" : `${unique.length} systems`} failed`, { details: r.stderr.trim().split("\n").slice(-40).join("\n") })),
  );
}
