import { describe, expect, it } from "vitest";
import type { Generation, TargetFacts } from "../target/TargetFacts.js";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROFILE_SCRIPT, planProfile } from "./planProfile.js";

const TOPLEVEL = "/nix/store/cccccccccccccccccccccccccccccccc-nixos-system-web-24.11";
const OLD = (n: number): string => `/nix/store/${String(n).repeat(32).slice(0, 32)}-nixos-system-web-24.05`;

const facts = (generations: Generation[], currentGeneration?: number): TargetFacts => ({
  machine: "x86_64",
  hasNixDb: generations.length > 0,
  registered: new Set(),
  staged: new Set(),
  filesystems: new Set(["ext4"]),
  kernelFeatures: new Set(),
  generations,
  currentGeneration,
  tools: new Set(["tar"]),
});

/** The first step: the profiles folder, and gcroots/profiles so Nix's GC keeps every generation. */
/** The one step: profiles folder, gcroots/profiles, system-N-link, system. */
const profileArgv = (state: string, toplevel: string, n: number) => ["sh", "-c", PROFILE_SCRIPT, "nixos-via-profile", state, toplevel, String(n)];

describe("planProfile", () => {
  it("makes generation 1 on a first install: the profiles folder, the link, the profile", () => {
    expect(planProfile("/mnt", TOPLEVEL, facts([]))).toEqual({
      generation: 1,
      created: true,
      steps: [
        {
          kind: "run",
          phase: "profile",
          description: "create generation 1 and make it the system profile",
          argv: profileArgv("/mnt/nix/var/nix", TOPLEVEL, 1),
        },
      ],
    });
  });

  it("the profile script makes the links Nix makes, relative, and a GC root for the profiles", () => {
    const state = mkdtempSync(join(tmpdir(), "profile-"));
    try {
      for (const n of [1, 2]) execFileSync("sh", ["-c", PROFILE_SCRIPT, "nixos-via-profile", state, `/nix/store/${n}-system`, String(n)]);
      expect(readlinkSync(join(state, "profiles/system"))).toBe("system-2-link");
      expect(readlinkSync(join(state, "profiles/system-1-link"))).toBe("/nix/store/1-system");
      expect(readlinkSync(join(state, "profiles/system-2-link"))).toBe("/nix/store/2-system");
      expect(readlinkSync(join(state, "gcroots/profiles"))).toBe("/nix/var/nix/profiles");
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });

  it("numbers a new generation one above the highest, not above the current one", () => {
    const plan = planProfile("/mnt", TOPLEVEL, facts([{ number: 1, toplevel: OLD(1) }, { number: 3, toplevel: OLD(3) }], 3));
    expect(plan.generation).toBe(4);
    expect(plan.created).toBe(true);
    expect(plan.steps.map((s) => s.argv)).toEqual([profileArgv("/mnt/nix/var/nix", TOPLEVEL, 4)]);

    const rolledBack = planProfile("/mnt", TOPLEVEL, facts([{ number: 1, toplevel: OLD(1) }, { number: 3, toplevel: OLD(3) }], 1));
    expect(rolledBack.generation).toBe(4);
  });

  it("makes no generation when the current one already is the toplevel", () => {
    const plan = planProfile("/mnt", TOPLEVEL, facts([{ number: 1, toplevel: OLD(1) }, { number: 2, toplevel: TOPLEVEL }], 2));
    expect(plan).toEqual({ generation: 2, created: false, steps: [] });
  });

  it("makes a new generation when an older, not current, generation has the toplevel", () => {
    const plan = planProfile("/mnt", TOPLEVEL, facts([{ number: 1, toplevel: TOPLEVEL }, { number: 2, toplevel: OLD(2) }], 2));
    expect(plan.generation).toBe(3);
    expect(plan.created).toBe(true);
  });

  it("makes a new generation when generations exist but none is current", () => {
    const plan = planProfile("/mnt", TOPLEVEL, facts([{ number: 5, toplevel: TOPLEVEL }]));
    expect(plan.generation).toBe(6);
    expect(plan.created).toBe(true);
  });

  it("uses /nix/var/nix/profiles itself when the root is /", () => {
    const plan = planProfile("/", TOPLEVEL, facts([]));
    expect(plan.steps.map((s) => s.argv)).toEqual([profileArgv("/nix/var/nix", TOPLEVEL, 1)]);
  });
});
