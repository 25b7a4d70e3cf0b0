import type { StorePathInfo } from "./StorePathInfo.js";

/**
 * Formats store path facts in the format `nix-store --load-db` reads and
 * `nix-store --dump-db` writes (also nixpkgs' `closureInfo` `registration` file): for each
 * path the lines path, NAR hash, NAR size, deriver (or empty), number of references,
 * then the references.
 *
 * @example
 * ```ts
 * await target.exec(["nix-store", "--load-db"], { stdin: formatRegistration(paths) });
 * ```
 */
export function formatRegistration(paths: readonly StorePathInfo[]): string {
  const lines: string[] = [];
  for (const p of paths) {
    lines.push(p.path, p.narHash, String(p.narSize), p.deriver ?? "", String(p.references.length), ...p.references);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
