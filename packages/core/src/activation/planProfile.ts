import { profilePaths } from "./profilePaths.js";
import type { TargetFacts } from "../target/index.js";
import type { RunStep } from "../pipeline/Step.js";
import profileScript from "./profile.sh";

/**
 * Makes generation N: the profiles folder, `gcroots/profiles` (without it `nix-store --gc`
 * in this root would collect every generation), `system-N-link` to the toplevel, then
 * `system` pointing at it, relative, as Nix makes it. Arguments: STATE TOPLEVEL N.
 */
export const PROFILE_SCRIPT: string = profileScript;

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
  const { state } = profilePaths(root);
  return {
    generation,
    created: true,
    steps: [
      {
        kind: "run",
        phase: "profile",
        description: `create generation ${generation} and make it the system profile`,
        // One command, not four: over a slow link every command costs round trips.
        argv: ["sh", "-c", PROFILE_SCRIPT, "nixos-via-profile", state, toplevel, String(generation)],
      },
    ],
  };
}
