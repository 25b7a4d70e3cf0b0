import { switchOutcomeError, type SwitchOutcome } from "@nixos-via/core";
import { describe, expect, it } from "vitest";
import { ExitCode } from "./exitCodes.js";
import { switchOutcomeExitCode } from "./switchOutcomeExitCode.js";

// The words come from core (every front end reports a switch the same way); the exit code is the CLI's.
const switchOutcomeFailure = (outcome: SwitchOutcome, at: Parameters<typeof switchOutcomeError>[1]) => {
  const error = switchOutcomeError(outcome, at);
  return error === undefined ? undefined : { error, exitCode: switchOutcomeExitCode(outcome) };
};

const at = { uri: "ssh://web1", action: "switch", generation: 5 } as const;
const log = ["nixos-via-switch: rolling back"];

describe("switchOutcomeFailure", () => {
  it("a confirmed or plain switch is no failure", () => {
    expect(switchOutcomeFailure({ kind: "confirmed" }, at)).toBeUndefined();
    expect(switchOutcomeFailure({ kind: "done" }, at)).toBeUndefined();
  });

  const cases: [SwitchOutcome, number, string, RegExp][] = [
    [{ kind: "rolled-back", cause: { kind: "switch-failed", exitCode: 4 }, log }, ExitCode.SwitchFailed, "STEP_FAILED", /switch-to-configuration switch failed with exit code 4 on ssh:\/\/web1; it switched back/],
    [{ kind: "rolled-back", cause: { kind: "not-confirmed", timeoutS: 30 }, log }, ExitCode.NotConfirmed, "DEPLOY_ROLLED_BACK", /rolled back from generation 5 .*no confirmation within 30s/],
    [{ kind: "rolled-back", cause: { kind: "confirm-failed", message: "Read-only file system" }, log }, ExitCode.ConfirmFailed, "DEPLOY_ROLLED_BACK", /confirmation could not be written \(Read-only file system\)/],
    [{ kind: "rolled-back", cause: { kind: "health-check-failed", check: "curl -fs localhost", exitCode: 7 }, log }, ExitCode.HealthCheckFailed, "DEPLOY_ROLLED_BACK", /health check failed with exit code 7: curl -fs localhost/],
    [{ kind: "rolled-back", cause: { kind: "health-check-timed-out", check: "curl -fs localhost", timeoutS: 60 }, log }, ExitCode.HealthCheckTimedOut, "DEPLOY_ROLLED_BACK", /did not finish within 60s and was stopped: curl/],
    [{ kind: "rolled-back", cause: { kind: "aborted", check: "curl -fs localhost" }, log }, ExitCode.Failed, "ABORTED", /stopped \(Ctrl-C\) during the health checks .*switched back/],
    [{ kind: "rollback-failed", exitCode: 3, cause: { kind: "not-confirmed", timeoutS: 30 }, log }, ExitCode.RollbackFailed, "DEPLOY_ROLLBACK_FAILED", /the way back failed with exit code 3/],
    [{ kind: "no-previous-generation", cause: { kind: "switch-failed", exitCode: 4 }, log }, ExitCode.NoPreviousGeneration, "DEPLOY_NO_PREVIOUS_GENERATION", /no previous generation: it stays on generation 5/],
    [{ kind: "unchanged", cause: { kind: "health-check-failed", check: "false", exitCode: 1 }, log }, ExitCode.HealthCheckFailed, "DEPLOY_ROLLED_BACK", /nothing to roll back/],
  ];
  it.each(cases)("%o ends with exit %i, code %s", (outcome, exitCode, code, message) => {
    const failed = switchOutcomeFailure(outcome, at);
    expect(failed?.exitCode).toBe(exitCode);
    expect(failed?.error.code).toBe(code);
    expect(failed?.error.message).toMatch(message);
    expect(failed?.error.message).not.toContain("\n");
  });

  it("gives each way a deploy can end its own exit code", () => {
    const codes = cases.filter(([o]) => o.kind !== "unchanged" && !(o.kind === "rolled-back" && o.cause.kind === "aborted")).map(([o]) => switchOutcomeFailure(o, at)?.exitCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("puts the target's log tail in the details", () => {
    expect(switchOutcomeFailure(cases[6]![0], at)?.error.details).toBe("nixos-via-switch: rolling back");
  });
});
