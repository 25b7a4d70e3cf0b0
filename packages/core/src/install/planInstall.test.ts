import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ENTER_SCRIPT } from "../activation/enterScript.js";
import { planInstallActivation } from "../activation/planInstallActivation.js";
import { formatRegistration } from "../closure/formatRegistration.js";
import type { NixosSystem } from "../closure/NixosSystem.js";
import { parsePathInfoJson } from "../closure/parsePathInfoJson.js";
import { RECEIVE_CLOSURE_SCRIPT } from "../closure/receiveClosureScript.js";
import { sortByReferences } from "../closure/sortByReferences.js";
import { TargetUnusableError } from "../errors/index.js";
import { formatPlan } from "../pipeline/formatPlan.js";
import type { CopyClosureStep, RunStep } from "../pipeline/Step.js";
import type { TargetFacts } from "../target/TargetFacts.js";
import { planInstall, type PlanInstallParameters } from "./planInstall.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");

const TOPLEVEL = "/nix/store/2jimbaisz8l4zd94h196r78alhpc47pk-nixos-system-nixos-via-1";
const OTHER_TOPLEVEL = "/nix/store/0v3kq2aj8bqlxr2a0kf3mz1c9c5hbbq1-nixos-system-nixos-via-0";
const paths = sortByReferences(parsePathInfoJson(fixture("nix-2.8-path-info.json"))._unsafeUnwrap())._unsafeUnwrap();

const system: NixosSystem = {
  toplevel: TOPLEVEL,
  system: "x86_64-linux",
  version: "24.11",
  nixStore: `${TOPLEVEL}/sw/bin/nix-store`,
  closure: { root: TOPLEVEL, paths },
};

const target: PlanInstallParameters["target"] = {
  uri: "dir:/mnt/target",
  root: "/mnt/target",
  capabilities: { root: true, remote: false, hostNix: false, running: false },
};

const fresh: TargetFacts = {
  machine: "x86_64",
  hasNixDb: false,
  registered: new Set(),
  staged: new Set(),
  filesystems: new Set(["ext4", "vfat"]),
  kernelFeatures: new Set(),
  generations: [],
  currentGeneration: undefined,
  tools: new Set(["tar", "gzip", "unshare", "chroot", "mount"]),
};

// Every other path of the reference order: a half-finished earlier run.
const half = new Set(paths.filter((_, i) => i % 2 === 0).map((p) => p.path));
const halfDone: TargetFacts = {
  ...fresh,
  hasNixDb: true,
  registered: half,
  generations: [{ number: 1, toplevel: OTHER_TOPLEVEL }],
  currentGeneration: 1,
};

describe("planInstall", () => {
  it("names the file systems and the modules a layout needs that the target's kernel lacks", () => {
    const layout = { steps: [], unmountSteps: [], filesystems: ["btrfs", "ext4", "tmpfs"], kernelFeatures: ["dm-crypt"], tools: [], keyFiles: [], mounts: [] };
    const facts = { ...fresh, kernelRelease: "6.1.0-57-amd64", filesystems: new Set(["ext4", "tmpfs"]) };
    const fs = planInstall({ system, target, facts, layout })._unsafeUnwrapErr();
    expect(fs.message).toBe(
      "this machine's kernel cannot mount btrfs, which the layout needs: not in /proc/filesystems, and /lib/modules/6.1.0-57-amd64 has no module for it; install from a machine whose kernel can (e.g. over SSH from a rescue system)",
    );
    const feature = planInstall({ system, target, facts: { ...facts, filesystems: new Set(["btrfs", "ext4", "tmpfs"]) }, layout })._unsafeUnwrapErr();
    expect(feature.message).toBe("this machine's kernel has no dm-crypt, which the layout needs: module dm_crypt is neither loaded, built in nor in /lib/modules/6.1.0-57-amd64");
  });

  it("plans a fresh install of the Nix 2.8 closure into /mnt/target", async () => {
    const plan = planInstall({ system, target, facts: fresh })._unsafeUnwrap();
    expect(plan).toMatchObject({
      action: "install",
      target: "dir:/mnt/target",
      toplevel: TOPLEVEL,
      generation: 1,
      copy: { paths: 17, bytes: 121_175_640, present: 0, staged: 0, total: 17 },
    });
    expect(plan.steps.map((s) => s.phase)).toEqual(["copy", "register", "profile", "activate"]);
    await expect(formatPlan(plan)).toMatchFileSnapshot("../../test/__golden__/install-dir.plan.txt");
  });

  it("plans the rest of a half-finished install next to an older generation", async () => {
    const plan = planInstall({ system, target, facts: halfDone })._unsafeUnwrap();
    const missing = paths.filter((p) => !half.has(p.path));
    expect(plan.generation).toBe(2);
    expect(plan.copy).toEqual({
      paths: missing.length,
      bytes: missing.reduce((n, p) => n + p.narSize, 0),
      present: half.size,
      staged: 0,
      total: 17,
    });
    const copy = plan.steps[0] as CopyClosureStep;
    expect(copy.paths).toEqual(missing);
    await expect(formatPlan(plan)).toMatchFileSnapshot("../../test/__golden__/install-dir-half-registered.plan.txt");
  });

  it("plans an install over SSH to its end: the reboot and the wait for the new system are steps", async () => {
    const ssh = { uri: "ssh://root@203.0.113.7", root: "/mnt", capabilities: { root: true, remote: true, hostNix: false, running: false } };
    const tools = new Set([...fresh.tools, "zstd"]);
    const plan = planInstall({ system, target: ssh, facts: { ...fresh, tools }, extras: { readHostKey: true, reboot: true, waitTimeoutS: 300 } })._unsafeUnwrap();
    expect(plan.steps.slice(-3).map((s) => s.kind)).toEqual(["run", "run", "wait-for-system"]);
    expect(plan.steps.at(-1)).toEqual({
      kind: "wait-for-system",
      phase: "reboot",
      description: "wait until the machine answers running the new system (up to 300s)",
      toplevel: TOPLEVEL,
      hostKeyFrom: "hostKey",
      timeoutS: 300,
    });
    await expect(formatPlan(plan)).toMatchFileSnapshot("../../test/__golden__/install-ssh-reboot.plan.txt");
  });

  it("copies the missing paths, in reference order, through the receive script", () => {
    const plan = planInstall({ system, target, facts: fresh })._unsafeUnwrap();
    const copy = plan.steps[0] as CopyClosureStep;
    expect(copy.kind).toBe("copy-closure");
    expect(copy.paths).toEqual(paths);
    expect(copy.bytes).toBe(121_175_640);
    expect(copy.compression).toBe("none");
    expect(copy.receiver).toEqual(["sh", "-c", RECEIVE_CLOSURE_SCRIPT, "nixos-via-receive", "/mnt/target", "none"]);
    expect(plan.cleanup).toEqual([]);
  });

  it.each([
    ["a local target", false, ["tar", "gzip", "zstd"], "none"],
    ["a remote target with zstd", true, ["tar", "gzip", "zstd"], "zstd"],
    ["a remote target with only gzip", true, ["tar", "gzip"], "gzip"],
    ["a remote target with neither", true, ["tar"], "none"],
  ])("compresses for %s (remote %s, tools %j) as %s", (_name, remote, tools, compression) => {
    const plan = planInstall({
      system,
      target: { uri: "ssh://root@203.0.113.7", root: "/mnt", capabilities: { root: true, remote, hostNix: false, running: false } },
      facts: { ...fresh, tools: new Set([...tools, "unshare", "chroot", "mount"]) },
    })._unsafeUnwrap();
    const copy = plan.steps[0] as CopyClosureStep;
    expect(copy.compression).toBe(compression);
    // The receiver decompresses exactly what the stream carries.
    expect(copy.receiver.at(-1)).toBe(compression);
  });

  it("does not send paths an interrupted copy left staged, but registers them", () => {
    const staged = new Set(paths.slice(0, 5).map((p) => p.path));
    const plan = planInstall({ system, target, facts: { ...fresh, staged } })._unsafeUnwrap();
    const copy = plan.steps[0] as CopyClosureStep;
    const register = plan.steps[1] as RunStep;
    expect(copy.paths).toEqual(paths.slice(5));
    expect(copy.bytes).toBe(paths.slice(5).reduce((n, p) => n + p.narSize, 0));
    expect(copy.description).toContain("5 already staged");
    expect(register.stdin).toBe(formatRegistration(paths));
    expect(plan.copy).toMatchObject({ paths: 12, present: 0, staged: 5, total: 17 });
  });

  it("still runs the receiver (to move staged paths into place) and registers when everything is staged", () => {
    const staged = new Set(paths.map((p) => p.path));
    const plan = planInstall({ system, target, facts: { ...fresh, staged } })._unsafeUnwrap();
    expect(plan.steps.map((s) => s.phase).slice(0, 2)).toEqual(["copy", "register"]);
    expect((plan.steps[0] as CopyClosureStep).paths).toEqual([]);
    expect((plan.steps[1] as RunStep).stdin).toBe(formatRegistration(paths));
  });

  it("registers exactly the copied paths, with the system's own nix-store inside the root", () => {
    const plan = planInstall({ system, target, facts: halfDone })._unsafeUnwrap();
    const register = plan.steps[1] as RunStep;
    expect(register.phase).toBe("register");
    expect(register.stdin).toBe(formatRegistration(paths.filter((p) => !half.has(p.path))));
    expect(register.argv).toEqual(["sh", "-c", ENTER_SCRIPT, "nixos-via-enter", "/mnt/target", "-", `${TOPLEVEL}/sw/bin/nix-store`, "--load-db"]);
    expect(register.env).toEqual({ USER: "root", NIX_CONFIG: "build-users-group =" });
  });

  it("registers into a tree on this machine with this machine's Nix, never with a program from the root", () => {
    const plan = planInstall({ system, target: { ...target, capabilities: { root: true, remote: false, hostNix: true, running: false } }, facts: halfDone })._unsafeUnwrap();
    const register = plan.steps[1] as RunStep;
    expect(register.argv).toEqual(["nix-store", "--store", "local?root=/mnt/target", "--load-db"]);
  });

  it("registers with the target's own Nix when the closure has none", () => {
    const plan = planInstall({
      system: { ...system, nixStore: undefined },
      target: { ...target, capabilities: { root: true, remote: false, hostNix: false, running: false } },
      facts: { ...fresh, tools: new Set([...fresh.tools, "nix-store"]) },
    })._unsafeUnwrap();
    const register = plan.steps.find((s) => s.phase === "register") as RunStep;
    expect(register.argv).toEqual(["nix-store", "--store", "local?root=/mnt/target", "--load-db"]);
    expect(register.stdin).toBe(formatRegistration(paths));
  });

  it("prefers the closure's nix-store over the target's", () => {
    const plan = planInstall({
      system,
      target: { ...target, capabilities: { root: true, remote: false, hostNix: false, running: false } },
      facts: { ...fresh, tools: new Set([...fresh.tools, "nix-store"]) },
    })._unsafeUnwrap();
    const register = plan.steps.find((s) => s.phase === "register") as RunStep;
    expect(register.argv).toContain(`${TOPLEVEL}/sw/bin/nix-store`);
  });

  it("has only the activation steps left when everything is registered and current", () => {
    const facts: TargetFacts = {
      ...fresh,
      hasNixDb: true,
      registered: new Set(paths.map((p) => p.path)),
      generations: [
        { number: 1, toplevel: OTHER_TOPLEVEL },
        { number: 2, toplevel: TOPLEVEL },
      ],
      currentGeneration: 2,
    };
    const plan = planInstall({ system, target, facts })._unsafeUnwrap();
    expect(plan.generation).toBe(2);
    expect(plan.copy).toEqual({ paths: 0, bytes: 0, present: 17, staged: 0, total: 17 });
    expect(plan.steps).toEqual(planInstallActivation("/mnt/target", TOPLEVEL));
    expect(plan.steps.every((s) => s.phase === "activate")).toBe(true);
  });

  it("skips copy and register but makes a generation when everything is registered but not current", () => {
    const facts: TargetFacts = { ...fresh, hasNixDb: true, registered: new Set(paths.map((p) => p.path)) };
    const plan = planInstall({ system, target, facts })._unsafeUnwrap();
    expect(plan.steps.map((s) => s.phase)).toEqual(["profile", "activate"]);
  });

  it("is pure: the same inputs give the same plan", () => {
    const a = planInstall({ system, target, facts: halfDone })._unsafeUnwrap();
    const b = planInstall({ system, target, facts: halfDone })._unsafeUnwrap();
    expect(b).toEqual(a);
    expect(formatPlan(b)).toBe(formatPlan(a));
  });

  describe("refuses", () => {
    it("a machine that cannot run the system", () => {
      const error = planInstall({ system, target, facts: { ...fresh, machine: "aarch64" } })._unsafeUnwrapErr();
      expect(error).toBeInstanceOf(TargetUnusableError);
      expect(error.code).toBe("TARGET_UNUSABLE");
      expect((error as TargetUnusableError).uri).toBe("dir:/mnt/target");
      expect(error.message).toContain("aarch64");
      expect(error.message).toContain("x86_64-linux");
    });

    it.each([
      ["aarch64", "aarch64-linux", true],
      ["arm64", "aarch64-linux", true],
      ["x86_64", "i686-linux", true],
      ["i686", "x86_64-linux", false],
      ["riscv64", "riscv64-linux", true],
      ["x86_64", "x86_64-darwin", false],
    ])("…or accepts by machine type: %s runs %s: %s", (machine, sys, runs) => {
      const result = planInstall({ system: { ...system, system: sys }, target, facts: { ...fresh, machine } });
      expect(result.isOk()).toBe(runs);
    });

    it("a target that lacks tools, naming each of them", () => {
      const error = planInstall({ system, target, facts: { ...fresh, tools: new Set(["tar", "mount"]) } })._unsafeUnwrapErr();
      expect(error.code).toBe("TARGET_UNUSABLE");
      expect(error.message).toContain("unshare");
      expect(error.message).toContain("chroot");
      expect(error.message).not.toContain("tar,");
      expect(error.message).not.toMatch(/\bmount\b/);
      expect(error.message).toContain("chroot, unshare");
    });

    it("a closure without nix-store for a target without Nix", () => {
      const error = planInstall({ system: { ...system, nixStore: undefined }, target, facts: fresh })._unsafeUnwrapErr();
      expect(error.code).toBe("TARGET_UNUSABLE");
      expect(error.message).toContain("nix-store");
    });
  });
});
