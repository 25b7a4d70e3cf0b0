import { describe, expect, it } from "vitest";
import type { Generation, TargetFacts } from "../target/TargetFacts.js";
import { planProfile } from "./planProfile.js";

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
const profilesArgv = (state: string) => ["sh", "-c", expect.stringContaining('ln -sfn /nix/var/nix/profiles "$1/gcroots/profiles"'), "nixos-via-profiles", state];

describe("planProfile", () => {
  it("makes generation 1 on a first install: the profiles folder, the link, the profile", () => {
    expect(planProfile("/mnt", TOPLEVEL, facts([]))).toEqual({
      generation: 1,
      created: true,
      steps: [
        { kind: "run", phase: "profile", description: "create the profiles folder and make it a garbage collector root", argv: profilesArgv("/mnt/nix/var/nix") },
        { kind: "run", phase: "profile", description: "create generation 1", argv: ["ln", "-sfn", TOPLEVEL, "/mnt/nix/var/nix/profiles/system-1-link"] },
        {
          kind: "run",
          phase: "profile",
          description: "make generation 1 the system profile",
          // Relative, as Nix makes it: the link stays right when the root is mounted elsewhere.
          argv: ["ln", "-sfn", "system-1-link", "/mnt/nix/var/nix/profiles/system"],
        },
      ],
    });
  });

  it("numbers a new generation one above the highest, not above the current one", () => {
    const plan = planProfile("/mnt", TOPLEVEL, facts([{ number: 1, toplevel: OLD(1) }, { number: 3, toplevel: OLD(3) }], 3));
    expect(plan.generation).toBe(4);
    expect(plan.created).toBe(true);
    expect(plan.steps.map((s) => s.argv)).toEqual([
      profilesArgv("/mnt/nix/var/nix"),
      ["ln", "-sfn", TOPLEVEL, "/mnt/nix/var/nix/profiles/system-4-link"],
      ["ln", "-sfn", "system-4-link", "/mnt/nix/var/nix/profiles/system"],
    ]);

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
    expect(plan.steps.map((s) => s.argv)).toEqual([
      profilesArgv("/nix/var/nix"),
      ["ln", "-sfn", TOPLEVEL, "/nix/var/nix/profiles/system-1-link"],
      ["ln", "-sfn", "system-1-link", "/nix/var/nix/profiles/system"],
    ]);
  });
});
