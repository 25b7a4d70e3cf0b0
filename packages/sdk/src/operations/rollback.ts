import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { DeployRolledBackError, planRollback, probeTarget, runPlan, switchOutcomeError, type RollbackPlan, type SwitchOutcome, type Target } from "@nixos-via/core";
import { normaliseDuration, type Duration } from "../options/normalise.js";
import type { RollbackError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";
import { withSystemTarget, type SystemTargetOptions } from "./withSystemTarget.js";

/** Options of {@link rollback}. */
export interface RollbackParameters extends SystemTargetOptions {
  readonly target: string | Target;
  /** A running system confirms the switch over a new connection or goes back. @default true */
  readonly magicRollback?: boolean | undefined;
  /** @default 30 (seconds) */
  readonly confirmTimeout?: Duration | undefined;
  /** Plan and check, touch nothing. @default false */
  readonly dryRun?: boolean | undefined;
}

/** What a rollback did. */
export interface RollbackReport {
  readonly dryRun: boolean;
  readonly plan: RollbackPlan;
  /** The generation left, and the one made current. */
  readonly from: number;
  readonly to: number;
  readonly toplevel: string;
  readonly switchOutcome?: SwitchOutcome | undefined;
}

/**
 * Makes the generation below the current one current again and switches to it, as
 * `nixos-rebuild --rollback` does (on a stored root: activates it inside the root).
 *
 * @example
 * ```ts
 * const r = await rollback({ target: "ssh://web1" });
 * ```
 */
export function rollback(parameters: RollbackParameters): ResultAsync<RollbackReport, RollbackError> {
  const confirmTimeoutS = normaliseDuration("confirmTimeout", parameters.confirmTimeout, 30);
  if (confirmTimeoutS.isErr()) return errAsync(confirmTimeoutS.error);
  return withErrorCodes(withSystemTarget(parameters.target, parameters, (target) =>
    probeTarget(target, [])
      .andThen((facts) => planRollback({ target, facts, magicRollback: parameters.magicRollback, confirmTimeoutS: confirmTimeoutS.value }))
      .andThen((plan) => {
        const base = { plan, from: plan.from.number, to: plan.to.number, toplevel: plan.to.toplevel };
        if (parameters.dryRun) return okAsync<RollbackReport>({ ...base, dryRun: true });
        return runPlan(plan, { target, ...(parameters.onEvent ? { onEvent: parameters.onEvent } : {}), ...(parameters.signal ? { signal: parameters.signal } : {}) }).andThen((summary) => {
          const outcome = summary.switchOutcome;
          if (outcome?.kind === "rolled-back") {
            return errAsync(new DeployRolledBackError(`the rollback to generation ${plan.to.number} did not stick; ${plan.target} is back on generation ${plan.back.number}`));
          }
          const problem = outcome === undefined ? undefined : switchOutcomeError(outcome, { uri: plan.target, action: "switch", generation: plan.to.number });
          return problem === undefined ? okAsync<RollbackReport>({ ...base, dryRun: false, switchOutcome: outcome }) : errAsync(problem);
        });
      }),
  ));
}
