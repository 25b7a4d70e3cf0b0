import { packageName, storePathName } from "./storePathName.js";
import type { StorePathInfo } from "./StorePathInfo.js";

/** A new store path sent as a delta against a predecessor the target has registered. */
export interface DeltaPath {
  /** The new store path. */
  readonly path: string;
  /** The predecessor: registered on the target, and present on this machine. */
  readonly from: string;
}

/** Which of the paths to send go as deltas, and which in full. */
export interface DeltaPlan {
  readonly deltas: readonly DeltaPath[];
  /** The paths that go in full: no predecessor, or none on this machine. */
  readonly full: readonly StorePathInfo[];
}

/**
 * Pairs each path to send with the predecessor the target has registered and this
 * machine still holds (`predecessors`): first one with the same name (a mass rebuild
 * changes only the hash), then one of the same package with another version. Among
 * several, the one whose NAR size is closest wins (ties: the lower path), so the choice
 * is deterministic. Pure.
 *
 * @example
 * ```ts
 * const { deltas, full } = planDeltas(copy.missing, localPredecessors);
 * ```
 */
export function planDeltas(missing: readonly StorePathInfo[], predecessors: readonly StorePathInfo[]): DeltaPlan {
  const sending = new Set(missing.map((p) => p.path));
  const byName = group(predecessors.filter((p) => !sending.has(p.path)), (p) => storePathName(p.path));
  const byPackage = group(predecessors.filter((p) => !sending.has(p.path)), (p) => packageName(storePathName(p.path)));
  const deltas: DeltaPath[] = [];
  const full: StorePathInfo[] = [];
  for (const p of missing) {
    const name = storePathName(p.path);
    const from = closest(byName.get(name) ?? byPackage.get(packageName(name)) ?? [], p.narSize);
    if (from === undefined) full.push(p);
    else deltas.push({ path: p.path, from: from.path });
  }
  return { deltas, full };
}

function group(paths: readonly StorePathInfo[], key: (p: StorePathInfo) => string): Map<string, StorePathInfo[]> {
  const groups = new Map<string, StorePathInfo[]>();
  for (const p of paths) {
    const k = key(p);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  return groups;
}

function closest(candidates: readonly StorePathInfo[], narSize: number): StorePathInfo | undefined {
  let best: StorePathInfo | undefined;
  for (const c of candidates) {
    if (best === undefined) best = c;
    else {
      const d = Math.abs(c.narSize - narSize) - Math.abs(best.narSize - narSize);
      if (d < 0 || (d === 0 && c.path < best.path)) best = c;
    }
  }
  return best;
}
