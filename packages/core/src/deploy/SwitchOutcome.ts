import { NixosViaError } from "../errors/index.js";

/** Why the target had to leave the new generation. */
export type RollbackCause =
  /** `switch-to-configuration` itself failed. */
  | { readonly kind: "switch-failed"; readonly exitCode: number }
  /** No confirmation reached the target within the confirm timeout (unreachable, locked out). */
  | { readonly kind: "not-confirmed"; readonly timeoutS: number }
  /** The checks passed but writing the confirmation failed, so the target timed out. */
  | { readonly kind: "confirm-failed"; readonly message: string }
  /** A health check exited non-zero (`exitCode`), or its connection broke (`message`). */
  | { readonly kind: "health-check-failed"; readonly check: string; readonly exitCode?: number | undefined; readonly message?: string | undefined }
  /** A health check ran longer than the health timeout and was stopped. */
  | { readonly kind: "health-check-timed-out"; readonly check: string; readonly timeoutS: number }
  /** The abort signal (Ctrl-C) stopped the health checks. */
  | { readonly kind: "aborted"; readonly check?: string | undefined };

/** The last lines of the switch's log on the target, for an outcome that needs explaining. */
export type WithLog = { readonly cause: RollbackCause; readonly log: readonly string[] };

/**
 * How a switch ended, as the target reports it. `done` and `confirmed` are successes; the
 * others say where the machine stands after a `cause` made it leave the new generation.
 */
export type SwitchOutcome =
  /** Switched; no verdict was asked for. */
  | { readonly kind: "done" }
  /** Switched and confirmed over a new connection, health checks passed. */
  | { readonly kind: "confirmed" }
  /** Back on the previous generation. */
  | ({ readonly kind: "rolled-back" } & WithLog)
  /** A dry-activate changes nothing, so there was nothing to roll back. */
  | ({ readonly kind: "unchanged" } & WithLog)
  /** The way back failed (`exitCode` of the previous generation's switch or of the profile link): the machine is between generations. */
  | ({ readonly kind: "rollback-failed"; readonly exitCode: number } & WithLog)
  /** Nothing to return to: the machine stays on the new generation. */
  | ({ readonly kind: "no-previous-generation" } & WithLog);

/**
 * Reads the `outcome` line that `SWITCH_RUN_SCRIPT` writes on the target. The target knows only
 * its own reason text; `cause` is what the deployer knows about why.
 */
export function parseSwitchOutcome(line: string, cause: RollbackCause, log: readonly string[]): SwitchOutcome {
  const [kind = "", rest = ""] = line.split(/ (.*)/s);
  switch (kind) {
    case "done":
    case "confirmed":
      return { kind };
    case "rolled-back":
    case "unchanged":
    case "no-previous-generation":
      return { kind, cause, log };
    case "rollback-failed":
      return { kind, exitCode: Number(/^\d+/.exec(rest)?.[0] ?? 1), cause, log };
    default:
      throw new NixosViaError("SWITCH_FOLLOW", `the target reported an outcome nixos-via cannot read: ${line}`, { details: log.join("\n") });
  }
}
