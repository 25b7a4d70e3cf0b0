import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { NixosSystem } from "../closure/NixosSystem.js";
import { parsePathInfoJson } from "../closure/parsePathInfoJson.js";
import { sortByReferences } from "../closure/sortByReferences.js";
import type { StorePathInfo } from "../closure/StorePathInfo.js";
import { formatPlan } from "../pipeline/formatPlan.js";
import type { CopyClosureStep } from "../pipeline/Step.js";
import type { TargetFacts } from "../target/TargetFacts.js";
import { planInstall, type PlanInstallParameters } from "./planInstall.js";
import { chooseWindowLog, planTransfer } from "./planTransfer.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");
const TOPLEVEL = "/nix/store/2jimbaisz8l4zd94h196r78alhpc47pk-nixos-system-nixos-via-1";
const paths = sortByReferences(parsePathInfoJson(fixture("nix-2.8-path-info.json"))._unsafeUnwrap())._unsafeUnwrap();
const system: NixosSystem = { toplevel: TOPLEVEL, system: "x86_64-linux", nixStore: `${TOPLEVEL}/sw/bin/nix-store`, closure: { root: TOPLEVEL, paths } };

// The same closure built before a mass rebuild: every path under another hash, same names.
const rehash = (p: string): string => p.replace(/\/nix\/store\/[a-z0-9]{32}-/, "/nix/store/00000000000000000000000000000000-".slice(0, 11) + "0".repeat(31) + p[11] + "-");
const before: StorePathInfo[] = paths.slice(0, -3).map((p) => ({ ...p, path: rehash(p.path) }));

const ssh: PlanInstallParameters["target"] = { uri: "ssh://root@web", root: "/mnt", capabilities: { root: true, remote: true, hostNix: false, running: false } };
const dir: PlanInstallParameters["target"] = { uri: "dir:/srv/web", root: "/srv/web", capabilities: { root: true, remote: false, hostNix: false, running: false } };
const facts: TargetFacts = {
  machine: "x86_64",
  hasNixDb: true,
  registered: new Set(),
  staged: new Set(),
  filesystems: new Set(),
  kernelFeatures: new Set(),
  generations: [],
  currentGeneration: undefined,
  tools: new Set(["tar", "zstd", "sha256sum", "unshare", "chroot", "mount"]),
  zstdVersion: "1.5.4",
  gnuTar: true,
  predecessors: new Set(before.map((p) => p.path)),
};
const copySteps = (steps: readonly { kind: string }[]) => steps.filter((s): s is CopyClosureStep => s.kind === "copy-closure");

describe("the compression window of a copy", () => {
  const MiB = 2 ** 20;
  it("is the widest whose decoder fits an eighth of what the target has free, from 16 to 512 MiB", () => {
    const z = "1.5.4";
    expect(chooseWindowLog({ memAvailable: 20 * 1024 * MiB, zstdVersion: z })).toBe(29);
    expect(chooseWindowLog({ memAvailable: 4160 * MiB, zstdVersion: z })).toBe(29);
    expect(chooseWindowLog({ memAvailable: 4159 * MiB, zstdVersion: z })).toBe(28);
    expect(chooseWindowLog({ memAvailable: 2112 * MiB, zstdVersion: z })).toBe(28);
    expect(chooseWindowLog({ memAvailable: 2111 * MiB, zstdVersion: z })).toBe(27);
    // Past 128 MiB the decoder must be told the window: zstd -d takes --long=N from 1.3.2 on.
    expect(chooseWindowLog({ memAvailable: 20 * 1024 * MiB, zstdVersion: "1.3.2" })).toBe(29);
    expect(chooseWindowLog({ memAvailable: 20 * 1024 * MiB, zstdVersion: "1.3.1" })).toBe(27);
    expect(chooseWindowLog({ memAvailable: 20 * 1024 * MiB })).toBe(27);
    expect(chooseWindowLog({ memAvailable: 1088 * MiB })).toBe(27);
    expect(chooseWindowLog({ memAvailable: 1087 * MiB })).toBe(26);
    expect(chooseWindowLog({ memAvailable: 576 * MiB })).toBe(26);
    expect(chooseWindowLog({ memAvailable: 575 * MiB })).toBe(25);
    // A 512 MiB machine with ~400 MiB free, and a 256 MiB one running an installer from RAM.
    expect(chooseWindowLog({ memAvailable: 400 * MiB })).toBe(25);
    expect(chooseWindowLog({ memAvailable: 135 * MiB })).toBe(24);
    expect(chooseWindowLog({})).toBe(24);
  });

  it("goes into the full copy, not the delta stream (links and small deltas), and into no copy that is not compressed", () => {
    const roomy = planTransfer(system, ssh, { ...facts, memAvailable: 2048 * MiB }, { predecessors: before })._unsafeUnwrap();
    expect(copySteps(roomy.steps).map((s) => s.windowLog)).toEqual([undefined, 27]);
    expect(copySteps(planTransfer(system, ssh, facts)._unsafeUnwrap().steps).map((s) => s.windowLog)).toEqual([24]);
    expect(copySteps(planTransfer(system, dir, { ...facts, memAvailable: 2048 * MiB })._unsafeUnwrap().steps)[0]!.windowLog).toBeUndefined();
    // Past 128 MiB the receiver's zstd -d is told the window; up to it, its argv is as before.
    const wide = copySteps(planTransfer(system, ssh, { ...facts, memAvailable: 8192 * MiB, zstdVersion: "1.5.4" })._unsafeUnwrap().steps)[0]!;
    expect(wide.windowLog).toBe(29);
    expect(wide.receiver.slice(-2)).toEqual(["promote", "29"]);
    const narrow = copySteps(roomy.steps)[1]!;
    expect(narrow.receiver.at(-1)).toBe("after-stage");
  });
});

describe("planTransfer with deltas", () => {
  it("sends the paths with a predecessor as deltas first, staged for the full copy of the rest", () => {
    const t = planTransfer(system, ssh, facts, { predecessors: before })._unsafeUnwrap();
    const [delta, full] = copySteps(t.steps);
    expect(delta!.deltas!.length).toBe(paths.length - 3);
    expect(delta!.deltas![0]).toEqual({ path: paths[0]!.path, from: before[0]!.path });
    expect(delta!.receiver.at(-1)).toBe("stage");
    expect(full!.paths.map((p) => p.path)).toEqual(paths.slice(-3).map((p) => p.path));
    expect(full!.deltas).toBeUndefined();
    // It trusts the delta step's list of what it staged instead of checking each path again.
    expect(full!.receiver.at(-1)).toBe("after-stage");
    expect(t.delta.paths).toBe(paths.length - 3);
    expect(t.delta.estimatedBytes).toBeLessThan(t.copy.bytes * 0.38);
  });

  it("promotes in the delta step when nothing goes in full", () => {
    const all = paths.map((p) => ({ ...p, path: rehash(p.path) }));
    const t = planTransfer(system, ssh, { ...facts, predecessors: new Set(all.map((p) => p.path)) }, { predecessors: all })._unsafeUnwrap();
    const steps = copySteps(t.steps);
    expect(steps.length).toBe(1);
    expect(steps[0]!.receiver.at(-1)).toBe("zstd");
  });

  it("sends everything in full to a local target unless asked, and when turned off", () => {
    expect(planTransfer(system, dir, facts, { predecessors: before })._unsafeUnwrap().delta.paths).toBe(0);
    expect(planTransfer(system, dir, facts, { mode: "on", predecessors: before })._unsafeUnwrap().delta.paths).toBe(paths.length - 3);
    expect(planTransfer(system, ssh, facts, { mode: "off", predecessors: before })._unsafeUnwrap().delta.paths).toBe(0);
  });

  it("falls back to full paths, and says why, on a target that cannot rebuild deltas", () => {
    const old = planTransfer(system, ssh, { ...facts, zstdVersion: "1.4.4" }, { predecessors: before })._unsafeUnwrap();
    expect(old.delta.paths).toBe(0);
    expect(old.delta.note).toBe("all paths go in full: the target lacks zstd ≥ 1.4.5 (it has 1.4.4) to rebuild deltas");
    const bare = planTransfer(system, ssh, { ...facts, gnuTar: false, tools: new Set(["tar"]) }, { predecessors: before })._unsafeUnwrap();
    expect(bare.delta.note).toBe("all paths go in full: the target lacks zstd ≥ 1.4.5 (it has none), GNU tar, sha256sum to rebuild deltas");
    expect(planTransfer(system, ssh, { ...facts, zstdVersion: "1.10.0" }, { predecessors: before })._unsafeUnwrap().delta.paths).toBeGreaterThan(0);
  });

  it("the plan says how many paths go as deltas, and the estimate", () => {
    const plan = planInstall({ system, target: ssh, facts, delta: { predecessors: before } })._unsafeUnwrap();
    expect(plan.copy.deltas).toBe(paths.length - 3);
    expect(formatPlan(plan)).toMatch(/deltas: \d+ of them against their predecessors on the target; about .* to send \(estimated\)/);
  });
});
