import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePathInfoJson } from "./parsePathInfoJson.js";
import { sortByReferences } from "./sortByReferences.js";
import type { StorePathInfo } from "./StorePathInfo.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");

const info = (name: string, refs: string[] = []): StorePathInfo => ({
  path: `/nix/store/${name}`,
  narHash: `sha256:${"0".repeat(64)}`,
  narSize: 1,
  references: refs.map((r) => `/nix/store/${r}`),
});

/** Fails unless every path comes after every path of the set it refers to (itself excepted). */
function expectReferenceOrder(sorted: readonly StorePathInfo[]): void {
  const position = new Map(sorted.map((p, i) => [p.path, i]));
  const violations: string[] = [];
  for (const [i, p] of sorted.entries()) {
    for (const r of p.references) {
      const at = position.get(r);
      if (r !== p.path && at !== undefined && at >= i) violations.push(`${p.path} comes before its reference ${r}`);
    }
  }
  expect(violations).toEqual([]);
}

/** A seeded shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("sortByReferences", () => {
  const closure = parsePathInfoJson(fixture("nix-2.8-path-info.json"))._unsafeUnwrap();

  it("puts every path of a real closure after its references", () => {
    const sorted = sortByReferences(closure)._unsafeUnwrap();
    expect(sorted).toHaveLength(closure.length);
    expect(new Set(sorted.map((p) => p.path))).toEqual(new Set(closure.map((p) => p.path)));
    expectReferenceOrder(sorted);
    // The fixture's array is in name order, which is not a reference order: sorting changed it.
    expect(sorted.map((p) => p.path)).not.toEqual(closure.map((p) => p.path));
    expect(sorted.at(-1)!.path).toBe("/nix/store/2jimbaisz8l4zd94h196r78alhpc47pk-nixos-system-nixos-via-1");
  });

  it("gives the same order whatever the input order", () => {
    const expected = sortByReferences(closure)._unsafeUnwrap().map((p) => p.path);
    for (let seed = 1; seed <= 25; seed++) {
      const order = sortByReferences(shuffled(closure, seed))._unsafeUnwrap().map((p) => p.path);
      expect(order, `seed ${seed}`).toEqual(expected);
    }
  });

  it("breaks ties by name", () => {
    const sorted = sortByReferences([info("c"), info("a"), info("b")])._unsafeUnwrap();
    expect(sorted.map((p) => p.path)).toEqual(["/nix/store/a", "/nix/store/b", "/nix/store/c"]);
  });

  it("moves a path after what it refers to even when its name sorts first", () => {
    const sorted = sortByReferences([info("a", ["z"]), info("z", ["y"]), info("y")])._unsafeUnwrap();
    expect(sorted.map((p) => p.path)).toEqual(["/nix/store/y", "/nix/store/z", "/nix/store/a"]);
  });

  it("ignores self-references", () => {
    const sorted = sortByReferences([info("a", ["a", "b"]), info("b", ["b"])]);
    expect(sorted._unsafeUnwrap().map((p) => p.path)).toEqual(["/nix/store/b", "/nix/store/a"]);
  });

  it("allows references to paths outside the set", () => {
    const sorted = sortByReferences([info("a", ["glibc-on-target", "b"]), info("b", ["glibc-on-target"])]);
    expect(sorted._unsafeUnwrap().map((p) => p.path)).toEqual(["/nix/store/b", "/nix/store/a"]);
  });

  it("returns the infos it was given, untouched", () => {
    const input = [info("a", ["b"]), info("b")];
    const sorted = sortByReferences(input)._unsafeUnwrap();
    expect(sorted[0]).toBe(input[1]);
    expect(sorted[1]).toBe(input[0]);
  });

  it.each([
    ["two paths", [info("a", ["b"]), info("b", ["a"])]],
    ["three paths", [info("a", ["b"]), info("b", ["c"]), info("c", ["a"])]],
    ["a cycle reached from outside it", [info("a", ["b"]), info("b", ["c"]), info("c", ["d"]), info("d", ["b"])]],
  ])("reports a cycle of %s", (_name, paths) => {
    const result = sortByReferences(paths);
    expect(result.isErr()).toBe(true);
    expect(result._unsafeUnwrapErr().code).toBe("CLOSURE_READ");
    expect(result._unsafeUnwrapErr().message).toMatch(/cycle through \/nix\/store\/[a-d]/);
  });

  it("sorts nothing to nothing", () => {
    expect(sortByReferences([])._unsafeUnwrap()).toEqual([]);
  });

  it.each([5_000, 100_000])("sorts a chain of %i paths without overflowing the stack", (n) => {
    // p000000 refers to p000001, which refers to p000002, …: the search starts at the
    // head of the chain, so a recursive walk would nest n calls deep.
    const name = (i: number): string => `p${String(i).padStart(6, "0")}`;
    const chain = Array.from({ length: n }, (_, i) => info(name(i), i + 1 < n ? [name(i + 1)] : []));
    const sorted = sortByReferences(chain)._unsafeUnwrap();
    expect(sorted).toHaveLength(n);
    expect(sorted[0]!.path).toBe(`/nix/store/${name(n - 1)}`);
    expect(sorted.at(-1)!.path).toBe(`/nix/store/${name(0)}`);
    expectReferenceOrder(sorted);
  });
});
