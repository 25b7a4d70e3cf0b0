/** The exit codes of `nixos-via`, the same for every command. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** It failed; the error line says why. Nothing was left half-done that a rerun cannot finish. */
  Failed: 1,
  /** The arguments were wrong; nothing was touched. */
  Usage: 2,
  /** deploy: `switch-to-configuration` failed; the target switched back to the previous generation. */
  SwitchFailed: 10,
  /** deploy: no confirmation reached the target in time (unreachable, locked out); it rolled back. */
  NotConfirmed: 11,
  /** deploy: the health checks passed but the confirmation could not be written; it rolled back. */
  ConfirmFailed: 12,
  /** deploy: a health check failed; the target rolled back. */
  HealthCheckFailed: 13,
  /** deploy: a health check ran past `--health-timeout` and was stopped; the target rolled back. */
  HealthCheckTimedOut: 14,
  /** deploy: a rollback was needed but the way back failed: the machine is between generations. */
  RollbackFailed: 20,
  /** deploy: a rollback was needed but there was no previous generation: the new one stays. */
  NoPreviousGeneration: 21,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
