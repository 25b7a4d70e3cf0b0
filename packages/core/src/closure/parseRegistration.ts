import { err, ok, type Result } from "neverthrow";
import { ClosureReadError } from "../errors/index.js";
import { normaliseNarHash } from "./narHash.js";
import type { StorePathInfo } from "./StorePathInfo.js";

/**
 * Reads the registration format (`nix-store --dump-db PATHS`, `--load-db`'s input): the
 * inverse of `formatRegistration`. Any Nix can print it, no experimental feature needed,
 * so it is how nixos-via reads the closure a target has.
 *
 * @example
 * ```ts
 * const infos = parseRegistration(dumpDbOutput);
 * ```
 */
export function parseRegistration(text: string): Result<StorePathInfo[], ClosureReadError> {
  const lines = text.split("\n");
  const infos: StorePathInfo[] = [];
  let i = 0;
  while (i < lines.length && lines[i] !== "") {
    const path = lines[i++]!;
    const hash = normaliseNarHash(/^[0-9a-f]{64}$/.test(lines[i] ?? "") ? `sha256:${lines[i]}` : lines[i]);
    i++;
    const narSize = Number(lines[i++]);
    const deriver = lines[i++];
    const count = Number(lines[i++]);
    if (!path.startsWith("/") || hash.isErr() || !Number.isSafeInteger(narSize) || !Number.isSafeInteger(count) || deriver === undefined) {
      return err(new ClosureReadError(`unreadable registration record for ${path}`));
    }
    const references = lines.slice(i, i + count);
    if (references.length !== count) return err(new ClosureReadError(`registration record for ${path} is cut short`));
    i += count;
    infos.push({ path, narHash: hash.value, narSize, references, deriver: deriver === "" ? undefined : deriver });
  }
  return ok(infos);
}
