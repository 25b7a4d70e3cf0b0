import { formatBytes } from "../pipeline/formatPlan.js";

/** A store path and its size, the part of path info a diff needs. */
export interface SizedPath {
  readonly path: string;
  readonly narSize: number;
}

/** A package whose versions differ between two closures (`nix store diff-closures`). */
export interface VersionChange {
  readonly name: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
  /** Size of the package's paths after minus before. */
  readonly sizeDelta: number;
}

/** What a deploy changes on the target, decided before anything is copied. */
export interface ClosureDiff {
  readonly added: readonly SizedPath[];
  readonly removed: readonly SizedPath[];
  readonly addedBytes: number;
  readonly removedBytes: number;
  readonly versions: readonly VersionChange[];
}

/**
 * Splits a store path's name into package name and version as `nix store diff-closures`
 * does: the version starts at the first dash followed by a digit.
 */
export function splitName(path: string): { name: string; version: string } {
  const base = path.slice(path.lastIndexOf("/") + 1).slice(33);
  const m = /^(.*?)-(\d.*)$/.exec(base);
  return m ? { name: m[1]!, version: m[2]! } : { name: base, version: "" };
}

/**
 * Compares the closure a target runs with the one a deploy brings: paths added and
 * removed with their sizes, and packages whose versions changed.
 *
 * @example
 * ```ts
 * const diff = diffClosures(currentClosure, newClosure.paths);
 * console.log(formatClosureDiff(diff));
 * ```
 */
export function diffClosures(before: readonly SizedPath[], after: readonly SizedPath[]): ClosureDiff {
  const beforeSet = new Set(before.map((p) => p.path));
  const afterSet = new Set(after.map((p) => p.path));
  const added = after.filter((p) => !beforeSet.has(p.path)).sort((a, b) => a.path.localeCompare(b.path));
  const removed = before.filter((p) => !afterSet.has(p.path)).sort((a, b) => a.path.localeCompare(b.path));
  const sum = (ps: readonly SizedPath[]) => ps.reduce((n, p) => n + p.narSize, 0);

  const byName = new Map<string, { before: Set<string>; after: Set<string>; delta: number }>();
  const note = (p: SizedPath, side: "before" | "after") => {
    const { name, version } = splitName(p.path);
    const entry = byName.get(name) ?? { before: new Set<string>(), after: new Set<string>(), delta: 0 };
    entry[side].add(version);
    entry.delta += side === "after" ? p.narSize : -p.narSize;
    byName.set(name, entry);
  };
  for (const p of removed) note(p, "before");
  for (const p of added) note(p, "after");
  const versions: VersionChange[] = [];
  for (const [name, e] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    const b = [...e.before].sort();
    const a = [...e.after].sort();
    if (b.join(",") === a.join(",") && e.delta === 0) continue;
    versions.push({ name, before: b, after: a, sizeDelta: e.delta });
  }
  return { added, removed, addedBytes: sum(added), removedBytes: sum(removed), versions };
}

/**
 * The diff for people: totals, then one line per changed package, as
 * `nix store diff-closures` prints them (`∅` for absent, `ε` for an empty version).
 */
export function formatClosureDiff(diff: ClosureDiff): string {
  const lines = [
    `${diff.added.length} store paths added (${formatBytes(diff.addedBytes)}), ${diff.removed.length} removed (${formatBytes(diff.removedBytes)})`,
  ];
  const show = (vs: readonly string[]) => (vs.length === 0 ? "∅" : vs.map((v) => v || "ε").join(", "));
  for (const v of diff.versions) {
    const sign = v.sizeDelta >= 0 ? "+" : "-";
    lines.push(`  ${v.name}: ${show(v.before)} → ${show(v.after)}, ${sign}${formatBytes(Math.abs(v.sizeDelta))}`);
  }
  return `${lines.join("\n")}\n`;
}
