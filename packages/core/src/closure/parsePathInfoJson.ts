import { err, ok, type Result } from "neverthrow";
import { ClosureReadError } from "../errors/index.js";
import { normaliseNarHash } from "./narHash.js";
import type { StorePathInfo } from "./StorePathInfo.js";

/**
 * Reads the output of `nix path-info --json [-r] PATHS` from any Nix version since 2.8:
 * - Nix 2.8–2.18: an array of `{ path, narHash, narSize, references, deriver, … }`;
 * - Nix 2.19+: an object keyed by store path (a `null` value marks an invalid path);
 * - newer formats: store paths without the store directory, structured hashes.
 *
 * Every hash is normalised to `sha256:<hex>`, every store path to its full form.
 *
 * @param storeDir - the store directory, used where Nix printed bare path names.
 * @example
 * ```ts
 * const infos = parsePathInfoJson(stdout, "/nix/store");
 * if (infos.isOk()) console.log(infos.value.length, "paths");
 * ```
 */
export function parsePathInfoJson(
  text: string,
  storeDir = "/nix/store",
): Result<StorePathInfo[], ClosureReadError> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    return err(new ClosureReadError("nix path-info printed something that is not JSON", { cause }));
  }
  const entries: [string | undefined, unknown][] = Array.isArray(data)
    ? data.map((v: unknown) => [undefined, v])
    : typeof data === "object" && data !== null
      ? Object.entries(data)
      : [];
  if (entries.length === 0 && !(Array.isArray(data) || (typeof data === "object" && data !== null))) {
    return err(new ClosureReadError("nix path-info --json printed neither an array nor an object"));
  }
  const infos: StorePathInfo[] = [];
  for (const [key, value] of entries) {
    const info = readEntry(key, value, storeDir);
    if (info.isErr()) return err(info.error);
    infos.push(info.value);
  }
  return ok(infos);
}

function readEntry(key: string | undefined, value: unknown, storeDir: string): Result<StorePathInfo, ClosureReadError> {
  if (typeof value !== "object" || value === null) {
    return err(new ClosureReadError(`${key ?? "a path"} is not valid in the source store`));
  }
  const v = value as Record<string, unknown>;
  if (v["valid"] === false) return err(new ClosureReadError(`${String(v["path"] ?? key)} is not valid in the source store`));
  const rawPath = typeof v["path"] === "string" ? v["path"] : key;
  if (rawPath === undefined) return err(new ClosureReadError("a path-info entry has no path"));
  const path = fullPath(rawPath, storeDir);
  const narHash = normaliseNarHash(v["narHash"]);
  if (narHash.isErr()) return err(new ClosureReadError(`${path}: ${narHash.error.message}`));
  const narSize = v["narSize"];
  if (typeof narSize !== "number" || !Number.isSafeInteger(narSize) || narSize < 0) {
    return err(new ClosureReadError(`${path}: narSize ${JSON.stringify(narSize)} is not a byte count`));
  }
  const refs = v["references"] ?? [];
  if (!Array.isArray(refs) || !refs.every((r): r is string => typeof r === "string")) {
    return err(new ClosureReadError(`${path}: references are not a list of store paths`));
  }
  const deriver = typeof v["deriver"] === "string" && v["deriver"] !== "" ? fullPath(v["deriver"], storeDir) : undefined;
  return ok({
    path,
    narHash: narHash.value,
    narSize,
    references: refs.map((r) => fullPath(r, storeDir)).sort(),
    deriver,
  });
}

function fullPath(p: string, storeDir: string): string {
  return p.startsWith("/") ? p : `${storeDir}/${p}`;
}
