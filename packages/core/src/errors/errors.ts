import { NixosViaError } from "./NixosViaError.js";

/** The arguments do not describe something nixos-via can do (exit code 2 in the CLI). */
export class UsageError extends NixosViaError {
  declare readonly code: "USAGE";
  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super("USAGE", message, options);
  }
}

/** The path given as a system is not a built NixOS system toplevel. */
export class InvalidSystemError extends NixosViaError {
  declare readonly code: "INVALID_SYSTEM";
  readonly path: string;
  constructor(path: string, message: string, options: { details?: string; cause?: unknown } = {}) {
    super("INVALID_SYSTEM", message, options);
    this.path = path;
  }
}

/** Reading a closure from a Nix store failed or returned something unreadable. */
export class ClosureReadError extends NixosViaError {
  declare readonly code: "CLOSURE_READ";
  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super("CLOSURE_READ", message, options);
  }
}

/** The target cannot be used as asked (missing, not writable, the host's own root…). */
export class TargetUnusableError extends NixosViaError {
  declare readonly code: "TARGET_UNUSABLE";
  readonly uri: string;
  constructor(uri: string, message: string, options: { details?: string; cause?: unknown } = {}) {
    super("TARGET_UNUSABLE", message, options);
    this.uri = uri;
  }
}

/** A command could not be started or its transport broke (not: it exited non-zero). */
export class TransportError extends NixosViaError {
  declare readonly code: "TRANSPORT";
  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super("TRANSPORT", message, options);
  }
}

/** The target answered the probe with something nixos-via cannot read. */
export class ProbeError extends NixosViaError {
  declare readonly code: "PROBE";
  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super("PROBE", message, options);
  }
}

/** A step of a plan failed; `details` holds the tail of its output. */
export class StepFailedError extends NixosViaError {
  declare readonly code: "STEP_FAILED";
  readonly stepIndex: number;
  readonly exitCode: number | undefined;
  constructor(
    stepIndex: number,
    message: string,
    options: { exitCode?: number; details?: string; cause?: unknown } = {},
  ) {
    super("STEP_FAILED", message, options);
    this.stepIndex = stepIndex;
    this.exitCode = options.exitCode;
  }
}

/** The run was stopped by its abort signal (Ctrl-C). */
export class AbortedError extends NixosViaError {
  declare readonly code: "ABORTED";
  constructor(message = "stopped before the plan finished; run the same command again to finish the job") {
    super("ABORTED", message);
  }
}
