import type { TargetFacts } from "../target/index.js";
import type { RunStep } from "../pipeline/Step.js";

/** The generation a run makes current, and the steps that make it so. */
export interface ProfilePlan {
  readonly generation: number;
  /** True when a new `system-N-link` is created (false: the current one already is the toplevel). */
  readonly created: boolean;
  readonly steps: readonly RunStep[];
}

/**
 * Plans the system profile update `nix-env -p …/profiles/system --set TOPLEVEL` does:
 * a `system-N-link` to the toplevel (N one above the highest), then `system` pointing at
 * it (a relative link, as Nix makes it). Like nix-env, it makes no new generation when the
 * current one already is that toplevel.
 *
 * @example
 * ```ts
 * const { generation, steps } = planProfile("/mnt", "/nix/store/…-system", facts);
 * ```
 */
export function planProfile(root: string, toplevel: string, facts: TargetFacts): ProfilePlan {
  const current = facts.generations.find((g) => g.number === facts.currentGeneration);
  if (current !== undefined && current.toplevel === toplevel) {
    return { generation: current.number, created: false, steps: [] };
  }
  const generation = Math.max(0, ...facts.generations.map((g) => g.number)) + 1;
  const profiles = `${root === "/" ? "" : root}/nix/var/nix/profiles`;
  const link = `system-${generation}-link`;
  return {
    generation,
    created: true,
    steps: [
      {
        kind: "run",
        phase: "profile",
        description: "create the profiles folder and make it a garbage collector root",
        // Without gcroots/profiles, `nix-store --gc` in this root would collect every generation.
        argv: ["sh", "-c", 'mkdir -p -m 0755 "$1/profiles" "$1/gcroots" && ln -sfn /nix/var/nix/profiles "$1/gcroots/profiles"', "nixos-via-profiles", profiles.replace(/\/profiles$/, "")],
      },
      {
        kind: "run",
        phase: "profile",
        description: `create generation ${generation}`,
        argv: ["ln", "-sfn", toplevel, `${profiles}/${link}`],
      },
      {
        kind: "run",
        phase: "profile",
        description: `make generation ${generation} the system profile`,
        argv: ["ln", "-sfn", link, `${profiles}/system`],
      },
    ],
  };
}
