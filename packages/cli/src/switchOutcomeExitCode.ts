import type { RollbackCause, SwitchOutcome } from "nixos-via";
import { ExitCode } from "./exitCodes.js";

const ROLLED_BACK_EXIT = {
  "switch-failed": ExitCode.SwitchFailed,
  "not-confirmed": ExitCode.NotConfirmed,
  "confirm-failed": ExitCode.ConfirmFailed,
  "health-check-failed": ExitCode.HealthCheckFailed,
  "health-check-timed-out": ExitCode.HealthCheckTimedOut,
  aborted: ExitCode.Failed,
} as const satisfies Record<RollbackCause["kind"], ExitCode>;

/** Each way a switch can end has its own exit code (docs/cli.md#exit-codes). */
export function switchOutcomeExitCode(outcome: SwitchOutcome): ExitCode {
  switch (outcome.kind) {
    case "done":
    case "confirmed":
      return ExitCode.Ok;
    case "rollback-failed":
      return ExitCode.RollbackFailed;
    case "no-previous-generation":
      return ExitCode.NoPreviousGeneration;
    default:
      return ROLLED_BACK_EXIT[outcome.cause.kind];
  }
}
