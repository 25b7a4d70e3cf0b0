import { AbortedError, StepFailedError } from "../errors/index.js";
import type { SwitchAction } from "../pipeline/Step.js";
import { DeployNoPreviousGenerationError, DeployRollbackFailedError, DeployRolledBackError } from "./switchDetached.js";
import type { RollbackCause, SwitchOutcome } from "./SwitchOutcome.js";

/** Where the switch ran, for the message. */
export interface SwitchContext {
  readonly uri: string;
  readonly action: SwitchAction;
  /** The generation that was switched to. */
  readonly generation: number;
}

/** How a switch that did not stick ended, as an error (what `switchOutcomeError` returns). */
export type SwitchOutcomeError = StepFailedError | AbortedError | DeployRolledBackError | DeployRollbackFailedError | DeployNoPreviousGenerationError;

/**
 * Turns a switch's outcome into the error a user can act on, one line with the target's
 * log tail as details; undefined for `done` and `confirmed`. Every front end (the CLI, a
 * fleet, Pulumi) reports a failed switch with these words.
 *
 * @example
 * ```ts
 * const problem = switchOutcomeError(outcome, { uri: "ssh://web1", action: "switch", generation: 7 });
 * ```
 */
export function switchOutcomeError(outcome: SwitchOutcome, at: SwitchContext): SwitchOutcomeError | undefined {
  if (outcome.kind === "done" || outcome.kind === "confirmed") return undefined;
  const why = describeCause(outcome.cause, at.action);
  const details = { details: outcome.log.join("\n") };
  switch (outcome.kind) {
    case "rollback-failed":
      return new DeployRollbackFailedError(
        `${at.uri} had to roll back from generation ${at.generation} (${why}), but the way back failed with exit code ${outcome.exitCode}: it is between generations, look at it before deploying again`,
        details,
      );
    case "no-previous-generation":
      return new DeployNoPreviousGenerationError(
        `${at.uri} had to roll back from generation ${at.generation} (${why}), but it has no previous generation: it stays on generation ${at.generation}`,
        details,
      );
    default: {
      const back = outcome.kind === "unchanged" ? "dry-activate changes nothing, so there was nothing to roll back" : "it switched back to the previous generation";
      const cause = outcome.cause;
      if (cause.kind === "switch-failed") return new StepFailedError(-1, `${why} on ${at.uri}; ${back}`, { exitCode: cause.exitCode, ...details });
      if (cause.kind === "aborted") return new AbortedError(`${why} on ${at.uri}; ${back}`);
      const from = outcome.kind === "unchanged" ? `${at.uri}: ${why}; ${back}` : `${at.uri} rolled back from generation ${at.generation} to the previous one: ${why}`;
      return new DeployRolledBackError(from, details);
    }
  }
}

function describeCause(cause: RollbackCause, action: SwitchAction): string {
  switch (cause.kind) {
    case "switch-failed":
      return `switch-to-configuration ${action} failed with exit code ${cause.exitCode}`;
    case "not-confirmed":
      return `no confirmation within ${cause.timeoutS}s over a new connection`;
    case "confirm-failed":
      return `the health checks passed but the confirmation could not be written (${cause.message})`;
    case "health-check-failed":
      return `health check failed${cause.exitCode === undefined ? ` (${cause.message ?? "no exit code"})` : ` with exit code ${cause.exitCode}`}: ${cause.check}`;
    case "health-check-timed-out":
      return `health check did not finish within ${cause.timeoutS}s and was stopped: ${cause.check}`;
    case "aborted":
      return `stopped (Ctrl-C) during the health checks${cause.check === undefined ? "" : ` (${cause.check})`}`;
  }
}
