import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePathInfoJson } from "./parsePathInfoJson.js";
import { planCopy } from "./planCopy.js";
import { sortByReferences } from "./sortByReferences.js";
import { closureBytes, type Closure } from "./StorePathInfo.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");

const TOPLEVEL = "/nix/store/2jimbaisz8l4zd94h196r78alhpc47pk-nixos-system-nixos-via-1";

describe("planCopy", () => {
  const paths = sortByReferences(parsePathInfoJson(fixture("nix-2.8-path-info.json"))._unsafeUnwrap())._unsafeUnwrap();
  const closure: Closure = { root: TOPLEVEL, paths };
  // The NAR sizes of the fixture, summed by hand from nix-2.8-path-info.json.
  const TOTAL = 121_175_640;

  it("the fixture's NAR sizes add up", () => {
    expect(closureBytes(paths)).toBe(TOTAL);
  });

  it("copies everything to a target with nothing registered", () => {
    const plan = planCopy(closure, new Set());
    expect(plan.missing).toEqual(paths);
    expect(plan.present).toBe(0);
    expect(plan.bytes).toBe(TOTAL);
  });

  it("copies nothing to a target that has registered everything", () => {
    const plan = planCopy(closure, new Set(paths.map((p) => p.path)));
    expect(plan.missing).toEqual([]);
    expect(plan.present).toBe(17);
    expect(plan.bytes).toBe(0);
  });

  it("copies what is missing, keeping the reference order", () => {
    const registered = new Set(paths.filter((_, i) => i % 2 === 0).map((p) => p.path));
    const plan = planCopy(closure, registered);
    expect(plan.missing.map((p) => p.path)).toEqual(paths.filter((_, i) => i % 2 === 1).map((p) => p.path));
    expect(plan.present).toBe(9);
    expect(plan.bytes).toBe(paths.filter((_, i) => i % 2 === 1).reduce((n, p) => n + p.narSize, 0));
    expect(plan.bytes + closureBytes(paths.filter((_, i) => i % 2 === 0))).toBe(TOTAL);
  });

  it("ignores registered paths that are not in the closure", () => {
    const registered = new Set(["/nix/store/00000000000000000000000000000000-other", paths[0]!.path]);
    const plan = planCopy(closure, registered);
    expect(plan.present).toBe(1);
    expect(plan.missing).toHaveLength(16);
    expect(plan.bytes).toBe(TOTAL - paths[0]!.narSize);
  });

  it("counts staged paths apart from registered ones, and sends neither", () => {
    const plan = planCopy(closure, new Set([paths[0]!.path]), new Set([paths[1]!.path, paths[0]!.path]));
    expect(plan).toMatchObject({ present: 1, staged: 1 });
    expect(plan.missing).toHaveLength(15);
    expect(plan.bytes).toBe(TOTAL - paths[0]!.narSize - paths[1]!.narSize);
  });

  it("compares full store paths, not names", () => {
    const kernel = paths.find((p) => p.path.includes("vmlinuz"))!;
    const plan = planCopy(closure, new Set([kernel.path.slice("/nix/store/".length), kernel.path.toUpperCase()]));
    expect(plan.present).toBe(0);
  });
});
