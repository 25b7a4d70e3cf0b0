import { err, ok, type Result, type ResultAsync } from "neverthrow";
import { parseRegistration } from "../closure/parseRegistration.js";
import type { StorePathInfo } from "../closure/StorePathInfo.js";
import { ProbeError, type NixosViaError } from "../errors/index.js";
import { nixStoreEnv, SELECT_NIX_STORE } from "../target/selectNixStore.js";
import type { Target } from "../target/Target.js";
import currentClosureScript from "./currentClosure.sh";

/**
 * Prints the closure of the system a root runs (`/run/current-system` on a live machine,
 * else the system profile) in the registration format, read by the target's own Nix.
 */
export const CURRENT_CLOSURE_SCRIPT: string = SELECT_NIX_STORE + currentClosureScript;

/** The closure a target runs now, or none (a fresh root). */
export interface CurrentClosure {
  readonly paths: readonly StorePathInfo[];
}

/**
 * Reads what the target runs now, for the diff every deploy shows first.
 *
 * @example
 * ```ts
 * const current = await readCurrentClosure(target);
 * ```
 */
export function readCurrentClosure(target: Target): ResultAsync<CurrentClosure | undefined, NixosViaError> {
  return target.exec(["sh", "-c", CURRENT_CLOSURE_SCRIPT, "nixos-via-current", target.root], { env: nixStoreEnv(target) }).andThen((r): Result<CurrentClosure | undefined, NixosViaError> => {
    if (r.exitCode !== 0) return err(new ProbeError(`reading the current system of ${target.uri} failed`, { details: r.stderr }));
    const [first, ...rest] = r.stdout.split("\n");
    if (first === "none") return ok(undefined);
    if (first?.startsWith("error=")) return err(new ProbeError(first.slice(6), { details: r.stderr }));
    return parseRegistration(rest.join("\n")).map((paths) => ({ paths }));
  });
}
