import {
  AbortedError,
  DeployNoPreviousGenerationError,
  DeployRollbackFailedError,
  DeployRolledBackError,
  StepFailedError,
  type NixosViaError,
  type RollbackCause,
  type SwitchAction,
  type SwitchOutcome,
} from "@nixos-via/core";
import { ExitCode } from "./exitCodes.js";

/** Where the switch ran, for the message. */
export interface SwitchContext {
  readonly uri: string;
  readonly action: SwitchAction;
  /** The generation that was switched to. */
  readonly generation: number;
}

/** A switch that did not end well: the error to print and the exit code to end with. */
export interface SwitchOutcomeFailure {
  readonly error: NixosViaError;
  readonly exitCode: ExitCode;
}

/**
 * Turns a switch's outcome into one line a user can act on and an exit code of its own
 * (docs/cli.md#exit-codes); the target's log tail goes into the details. Undefined for
 * `done` and `confirmed`.
 */
export function switchOutcomeFailure(outcome: SwitchOutcome, at: SwitchContext): SwitchOutcomeFailure | undefined {
  if (outcome.kind === "done" || outcome.kind === "confirmed") return undefined;
  const why = describeCause(outcome.cause, at.action);
  const details = { details: outcome.log.join("\n") };
  switch (outcome.kind) {
    case "rollback-failed":
      return {
        error: new DeployRollbackFailedError(
          `${at.uri} had to roll back from generation ${at.generation} (${why}), but the way back failed with exit code ${outcome.exitCode}: it is between generations, look at it before deploying again`,
          details,
        ),
        exitCode: ExitCode.RollbackFailed,
      };
    case "no-previous-generation":
      return {
        error: new DeployNoPreviousGenerationError(
          `${at.uri} had to roll back from generation ${at.generation} (${why}), but it has no previous generation: it stays on generation ${at.generation}`,
          details,
        ),
        exitCode: ExitCode.NoPreviousGeneration,
      };
    default: {
      const back = outcome.kind === "unchanged" ? "dry-activate changes nothing, so there was nothing to roll back" : "it switched back to the previous generation";
      const cause = outcome.cause;
      if (cause.kind === "switch-failed") {
        return { error: new StepFailedError(-1, `${why} on ${at.uri}; ${back}`, { exitCode: cause.exitCode, ...details }), exitCode: ExitCode.SwitchFailed };
      }
      if (cause.kind === "aborted") return { error: new AbortedError(`${why} on ${at.uri}; ${back}`), exitCode: ExitCode.Failed };
      const from = outcome.kind === "unchanged" ? `${at.uri}: ${why}; ${back}` : `${at.uri} rolled back from generation ${at.generation} to the previous one: ${why}`;
      return { error: new DeployRolledBackError(from, details), exitCode: ROLLED_BACK_EXIT[cause.kind] };
    }
  }
}

const ROLLED_BACK_EXIT = {
  "not-confirmed": ExitCode.NotConfirmed,
  "confirm-failed": ExitCode.ConfirmFailed,
  "health-check-failed": ExitCode.HealthCheckFailed,
  "health-check-timed-out": ExitCode.HealthCheckTimedOut,
} as const satisfies Record<Exclude<RollbackCause["kind"], "switch-failed" | "aborted">, ExitCode>;

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
