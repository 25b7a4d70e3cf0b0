import { err, ok, type Result } from "neverthrow";
import { enterArgv } from "../activation/enterScript.js";
import { generationLinkName, profilePaths } from "../activation/profilePaths.js";
import { TargetUnusableError } from "../errors/index.js";
import type { Plan, RunStep, Step, SwitchStep } from "../pipeline/Step.js";
import type { Target } from "../target/Target.js";
import type { Generation, TargetFacts } from "../target/TargetFacts.js";
import { generationBack } from "./generationBack.js";

/** Options of {@link planRollback}. */
export interface PlanRollbackParameters {
  readonly target: Pick<Target, "uri" | "root" | "capabilities">;
  readonly facts: TargetFacts;
  /** A running system confirms the switch over a new connection or goes back. @default true */
  readonly magicRollback?: boolean | undefined;
  /** @default 30 */
  readonly confirmTimeoutS?: number | undefined;
}

/** A rollback: which generation becomes current, and the whole run that makes it so. */
export interface RollbackPlan extends Plan {
  readonly from: Generation;
  readonly to: Generation;
  /**
   * The generation an unconfirmed switch to `to` leaves current: `from`, unless a deploy
   * was cut after its profile step and `from` is a system that never ran.
   */
  readonly back: Generation;
}

/**
 * Plans `nixos-via rollback`: the generation below the current one becomes current, as
 * `nixos-rebuild --rollback` does. A running system then switches to it (a `switch`
 * step); a stored root is activated inside itself and its bootloader updated.
 *
 * @example
 * ```ts
 * const plan = planRollback({ target, facts });
 * ```
 */
export function planRollback({ target, facts, magicRollback = true, confirmTimeoutS = 30 }: PlanRollbackParameters): Result<RollbackPlan, TargetUnusableError> {
  const { uri, root } = target;
  const from = facts.generations.find((g) => g.number === facts.currentGeneration);
  if (from === undefined) return err(new TargetUnusableError(uri, `${uri} has no current system generation to roll back from`));
  const to = [...facts.generations].reverse().find((g) => g.number < from.number);
  if (to === undefined) return err(new TargetUnusableError(uri, `${uri} has no generation older than ${from.number} to roll back to`));
  const profile: RunStep = {
    kind: "run",
    phase: "profile",
    description: `make generation ${to.number} the system profile`,
    argv: ["ln", "-sfn", generationLinkName(to.number), profilePaths(root).system],
  };
  // An unconfirmed switch goes back to the system that runs now, which is `from` unless a
  // deploy was cut after its profile step: then `from` never ran and is no way back.
  const running = (target.capabilities.running ? facts.runningSystem : undefined) ?? from.toplevel;
  const back = generationBack(facts, running, to.toplevel) ?? from;
  const after: Step = target.capabilities.running
    ? switchBack({ toplevel: running, generation: back }, to, magicRollback, confirmTimeoutS)
    : {
        kind: "run",
        phase: "activate",
        description: `activate generation ${to.number} inside the root and update its bootloader`,
        argv: enterArgv(root, `${to.toplevel}/activate`, ["/run/current-system/bin/switch-to-configuration", "boot"]),
      };
  return ok({
    action: "rollback",
    target: uri,
    toplevel: to.toplevel,
    generation: to.number,
    copy: { paths: 0, bytes: 0, present: 0, staged: 0, total: 0 },
    steps: [profile, after],
    cleanup: [],
    from,
    to,
    back,
  });
}

function switchBack(back: { toplevel: string; generation: Generation }, to: Generation, magicRollback: boolean, confirmTimeoutS: number): SwitchStep {
  return {
    kind: "switch",
    phase: "switch",
    description: `switch to generation ${to.number}, detached from the connection` + (magicRollback ? `; confirmed over a new connection within ${confirmTimeoutS}s or back to ${back.generation.number}` : ""),
    action: "switch",
    toplevel: to.toplevel,
    previous: { toplevel: back.toplevel, link: generationLinkName(back.generation.number) },
    magicRollback,
    confirmTimeoutS,
    healthChecks: [],
    healthTimeoutS: 60,
  };
}
