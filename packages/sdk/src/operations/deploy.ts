import { errAsync, okAsync, ResultAsync } from "neverthrow";
import {
  diffClosures,
  planDeploy,
  probeTarget,
  readCurrentClosure,
  runPlan,
  switchOutcomeError,
  UsageError,
  type ClosureDiff,
  type DeployPlan,
  type SwitchAction,
  type SwitchOutcome,
  type SwitchOutcomeError,
  type Target,
} from "@nixos-via/core";
import { createLocalStore } from "@nixos-via/transport-local";
import { normaliseDuration, type Duration } from "../options/normalise.js";
import { resolveSystem, type SystemSource } from "../system/resolveSystem.js";
import type { DeployError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";
import { readDeltaOptions } from "./readDeltaOptions.js";
import { withSystemTarget, type SystemTargetOptions } from "./withSystemTarget.js";

/** Options of {@link deploy}; the CLI's `deploy` flags carry the same names. */
export interface DeployParameters extends SystemTargetOptions {
  /** A running machine (`ssh://…`), a stored root (`dir:…`), or a `Target` you opened. */
  readonly target: string | Target;
  /** A built toplevel, or `{ flake: ".#web" }` to build first. */
  readonly system: SystemSource;
  /** @default "switch" */
  readonly action?: SwitchAction | undefined;
  /** Confirm over a new connection or let the target roll back by itself. @default true */
  readonly magicRollback?: boolean | undefined;
  /** @default 30 (seconds) */
  readonly confirmTimeout?: Duration | undefined;
  /** Shell commands run on the switched system; one failing rolls it back. @default [] */
  readonly healthChecks?: readonly string[] | undefined;
  /** How long each health check may run. @default 60 (seconds) */
  readonly healthTimeout?: Duration | undefined;
  /** Plan and check everything, touch nothing. @default false */
  readonly dryRun?: boolean | undefined;
  /**
   * Send store paths whose predecessor the target has registered (usually the running
   * system's) as deltas against it, computed against this machine's copy; `false` sends
   * everything in full. @default to ssh:// targets only
   */
  readonly delta?: boolean | undefined;
}

/** What a deploy did. A switch that did not stick is an outcome here, not an error. */
export interface DeployReport {
  readonly dryRun: boolean;
  readonly plan: DeployPlan;
  /** What changes: paths and versions added and removed. */
  readonly diff: ClosureDiff;
  readonly toplevel: string;
  readonly action: SwitchAction;
  readonly generation: number;
  /** `activated` for a stored root; else how the switch of the running system ended. */
  readonly outcome: SwitchOutcome["kind"] | "activated" | "planned";
  readonly switchOutcome?: SwitchOutcome | undefined;
  /** The new system is in place (always false for a dry run). */
  readonly succeeded: boolean;
  /** Why the switch did not stick, in a user's words (the same words the CLI prints). */
  readonly problem?: SwitchOutcomeError | undefined;
  readonly copiedPaths: number;
  readonly copiedBytes: number;
  readonly durationMs: number;
}

const ACTIONS: readonly SwitchAction[] = ["switch", "boot", "test", "dry-activate"];

/**
 * Deploys a built system to a target that holds one: shows what changes, copies what is
 * missing, makes a generation, and switches — detached from the connection, confirmed
 * over a new one (magic rollback) and health-checked, or rolled back.
 *
 * @example
 * ```ts
 * const d = await deploy({ target: "ssh://web1", system: "./result", healthChecks: ["curl -fs localhost"] });
 * if (d.isOk() && !d.value.succeeded) console.error(d.value.outcome, d.value.problem?.message);
 * ```
 */
export function deploy(parameters: DeployParameters): ResultAsync<DeployReport, DeployError> {
  const action = parameters.action ?? "switch";
  if (!ACTIONS.includes(action)) return errAsync(new UsageError(`action ${action}: use one of ${ACTIONS.join(", ")}`));
  const confirmTimeoutS = normaliseDuration("confirmTimeout", parameters.confirmTimeout, 30);
  if (confirmTimeoutS.isErr()) return errAsync(confirmTimeoutS.error);
  const healthTimeoutS = normaliseDuration("healthTimeout", parameters.healthTimeout, 60);
  if (healthTimeoutS.isErr()) return errAsync(healthTimeoutS.error);
  const store = createLocalStore();
  if (typeof parameters.system !== "string") parameters.onEvent?.({ type: "note", message: `building ${parameters.system.flake}` });
  // The connection is opened while the closure is read: it costs round trips.
  const systemRead = resolveSystem(store, parameters.system);
  return withErrorCodes(withSystemTarget(parameters.target, parameters, (target) =>
    systemRead.andThen((system) =>
      readCurrentClosure(target).andThen((current) => {
        const diff = diffClosures(current?.paths ?? [], system.closure.paths);
        parameters.onEvent?.({ type: "diff", diff });
        const deltas = readDeltaOptions(parameters.delta, target, store);
        return probeTarget(target, system.closure.paths.map((p) => p.path), { kernel: false, onCandidates: deltas.onCandidates })
          .andThen((facts) => deltas.read(facts).map((delta) => ({ facts, delta })))
          .andThen(({ facts, delta }) =>
            planDeploy({
              delta,
              system,
              target,
              facts,
              action,
              magicRollback: parameters.magicRollback,
              confirmTimeoutS: confirmTimeoutS.value,
              healthChecks: parameters.healthChecks,
              healthTimeoutS: healthTimeoutS.value,
            }),
          )
          .andThen((plan) => {
            const base = { plan, diff, toplevel: plan.toplevel, action, generation: plan.generation };
            if (parameters.dryRun) {
              return okAsync<DeployReport>({ ...base, dryRun: true, outcome: "planned", succeeded: false, copiedPaths: 0, copiedBytes: 0, durationMs: 0 });
            }
            return runPlan(plan, { target, source: store, ...(parameters.onEvent ? { onEvent: parameters.onEvent } : {}), ...(parameters.signal ? { signal: parameters.signal } : {}) }).map(
              (summary): DeployReport => {
                const outcome = summary.switchOutcome;
                const problem = outcome === undefined ? undefined : switchOutcomeError(outcome, { uri: plan.target, action, generation: plan.generation });
                return {
                  ...base,
                  dryRun: false,
                  outcome: outcome?.kind ?? "activated",
                  switchOutcome: outcome,
                  succeeded: problem === undefined,
                  problem,
                  copiedPaths: summary.copiedPaths,
                  copiedBytes: summary.copiedBytes,
                  durationMs: summary.durationMs,
                };
              },
            );
          });
      }),
    ),
  ));
}
