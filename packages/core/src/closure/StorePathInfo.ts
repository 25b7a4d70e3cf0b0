/**
 * What Nix knows about one valid store path: the facts `nix-store --load-db` needs to
 * register it and `nix-store --verify` checks it against.
 */
export interface StorePathInfo {
  /** Full store path, e.g. `/nix/store/abc…-hello-2.12`. */
  readonly path: string;
  /** `sha256:` followed by 64 hex digits (normalised, whatever the source printed). */
  readonly narHash: string;
  /** Size of the path's NAR serialisation in bytes. */
  readonly narSize: number;
  /** Full store paths this path refers to (may include itself). */
  readonly references: readonly string[];
  /** The derivation that built it, when known. */
  readonly deriver?: string | undefined;
}

/**
 * A closure: a root store path and every path it needs, in reference order (a path
 * always comes after every path it refers to), so copying in this order never leaves a
 * path whose references are missing.
 */
export interface Closure {
  readonly root: string;
  readonly paths: readonly StorePathInfo[];
}

/** Sum of NAR sizes, the byte count progress is measured against. */
export function closureBytes(paths: readonly StorePathInfo[]): number {
  let total = 0;
  for (const p of paths) total += p.narSize;
  return total;
}
