import { err, ok, type Result } from "neverthrow";
import { enterArgv } from "../activation/enterScript.js";
import { TargetUnusableError } from "../errors/index.js";
import type { RunStep } from "../pipeline/Step.js";
import type { Generation, TargetFacts } from "../target/TargetFacts.js";

/** A rollback: which generation becomes current, and the steps that make it so. */
export interface RollbackPlan {
  readonly from: Generation;
  readonly to: Generation;
  /** Points the profile at `to`; for a stored root, also activates it inside the root. */
  readonly steps: readonly RunStep[];
  /** A live target still has to switch to `to` (detached, as deploys do). */
  readonly detachedSwitch: boolean;
}

/**
 * Plans `nixos-via rollback`: the generation below the current one becomes current, as
 * `nixos-rebuild --rollback` does.
 *
 * @example
 * ```ts
 * const plan = planRollback("/", "ssh://web1", facts);
 * ```
 */
export function planRollback(root: string, uri: string, facts: TargetFacts): Result<RollbackPlan, TargetUnusableError> {
  const from = facts.generations.find((g) => g.number === facts.currentGeneration);
  if (from === undefined) return err(new TargetUnusableError(uri, `${uri} has no current system generation to roll back from`));
  const to = [...facts.generations].reverse().find((g) => g.number < from.number);
  if (to === undefined) return err(new TargetUnusableError(uri, `${uri} has no generation older than ${from.number} to roll back to`));
  const live = root === "/";
  const profiles = `${live ? "" : root}/nix/var/nix/profiles`;
  const steps: RunStep[] = [
    { kind: "run", phase: "profile", description: `make generation ${to.number} the system profile`, argv: ["ln", "-sfn", `system-${to.number}-link`, `${profiles}/system`] },
  ];
  if (!live) {
    steps.push({
      kind: "run",
      phase: "activate",
      description: `activate generation ${to.number} inside the root and update its bootloader`,
      argv: enterArgv(root, `${to.toplevel}/activate`, ["/run/current-system/bin/switch-to-configuration", "boot"]),
    });
  }
  return ok({ from, to, steps, detachedSwitch: live });
}
