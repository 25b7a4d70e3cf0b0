import switchRunScript from "./switchRun.sh";
import switchRollbackRequestScript from "./switchRollbackRequest.sh";
import switchStartScript from "./switchStart.sh";
import switchFollowScript from "./switchFollow.sh";

/**
 * The switch, detached from the connection that starts it: `switch-to-configuration`
 * runs in its own session (systemd-run where systemd runs, setsid otherwise), writing
 * its output to `DIR/log`, its exit status to `DIR/status`, and how it all ended to
 * `DIR/outcome`. With `verdict` = 1 it then waits up to `timeout` seconds for `DIR/confirmed`
 * (the deployer reached the new system over a new connection and its health checks
 * passed) and rolls back by itself when it is not there, or when `DIR/rollback` says so.
 * A failed switch rolls back too.
 *
 * `outcome` is one line, its first word the kind: `done`, `confirmed`,
 * `rolled-back REASON`, `unchanged REASON` (dry-activate: nothing to undo),
 * `rollback-failed CODE REASON` (the way back exited CODE) or
 * `no-previous-generation REASON`.
 *
 * Arguments: DIR ACTION TOPLEVEL PREVIOUS_TOPLEVEL PREVIOUS_LINK VERDICT TIMEOUT PROFILE
 * (PREVIOUS_* empty when there is nothing to return to; PREVIOUS_LINK empty when the
 * profile was not moved, as for `test`; PROFILE is the system profile's path).
 */
export const SWITCH_RUN_SCRIPT: string = switchRunScript;

/**
 * Asks {@link SWITCH_RUN_SCRIPT} to roll back, for REASON (one line). Arguments: DIR REASON.
 * The file appears complete or not at all, so the target never reads half a reason.
 */
export const SWITCH_ROLLBACK_REQUEST_SCRIPT: string = switchRollbackRequestScript;

/**
 * Starts {@link SWITCH_RUN_SCRIPT} (read from stdin) detached. Arguments: DIR, then the
 * run script's arguments after DIR. Prints `started`.
 */
export const SWITCH_START_SCRIPT: string = switchStartScript;

/**
 * Prints the switch's log from byte OFFSET on as it grows, until the file UNTIL
 * (`status` or `outcome`) exists; then prints `nixos-via-state=<its content>` on stderr.
 * Arguments: DIR OFFSET UNTIL. Safe to run again after a dropped connection.
 */
export const SWITCH_FOLLOW_SCRIPT: string = switchFollowScript;
