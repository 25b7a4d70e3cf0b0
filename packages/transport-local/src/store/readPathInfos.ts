import { existsSync } from "node:fs";
import { okAsync, type ResultAsync } from "neverthrow";
import { parsePathInfoJson, type StorePathInfo } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import { nixEnv } from "./nixEnv.js";

const STORE_DIR = "/nix/store";

/**
 * What this machine's store knows of `paths`, leaving out those it does not hold: the
 * predecessors a delta can be computed against. Never fails: a path Nix cannot describe
 * only means no delta against it.
 *
 * @example
 * ```ts
 * const local = await readPathInfos([...facts.predecessors ?? []]);
 * ```
 */
export function readPathInfos(paths: readonly string[]): ResultAsync<StorePathInfo[], never> {
  const here = paths.filter((p) => p.startsWith(`${STORE_DIR}/`) && existsSync(p));
  if (here.length === 0) return okAsync([]);
  return execLocal(["nix", "path-info", "--json", ...here], { env: nixEnv() })
    .map((r) => (r.exitCode === 0 ? parsePathInfoJson(r.stdout, STORE_DIR).unwrapOr([]) : []))
    .orElse(() => okAsync([]));
}
