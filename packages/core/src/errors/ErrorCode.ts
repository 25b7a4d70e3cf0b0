/**
 * Every `code` a nixos-via error can carry, from core, the transports and the SDK: the
 * stable, machine-readable half of an error (`--json` output, `switch` statements). A
 * transport written outside this repository reuses these (`TRANSPORT`, `TARGET_UNUSABLE`,
 * `USAGE`…) rather than inventing its own.
 */
export const ERROR_CODES = [
  "USAGE",
  "INVALID_SYSTEM",
  "CLOSURE_READ",
  "TARGET_UNUSABLE",
  "TRANSPORT",
  "PROBE",
  "STEP_FAILED",
  "ABORTED",
  "LAYOUT_INVALID",
  "DEPLOY_ROLLED_BACK",
  "DEPLOY_ROLLBACK_FAILED",
  "DEPLOY_NO_PREVIOUS_GENERATION",
  "SWITCH_START",
  "SWITCH_FOLLOW",
  "SSH_HOST_KEY_UNKNOWN",
  "SSH_HOST_KEY_MISMATCH",
  "SSH_CONFIG",
  "SSH_CONNECT",
  "SSH_SUDO",
  "SYSTEM_NOT_UP",
] as const;

/**
 * The code of a `NixosViaError`: one of `ERROR_CODES`.
 *
 * @example
 * ```ts
 * const retry = (code: ErrorCode) => code === "TRANSPORT" || code === "SSH_CONNECT";
 * ```
 */
export type ErrorCode = (typeof ERROR_CODES)[number];
