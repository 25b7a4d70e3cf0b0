export { ERROR_CODES, type ErrorCode } from "./ErrorCode.js";
export { NixosViaError } from "./NixosViaError.js";
export {
  AbortedError,
  ClosureReadError,
  InvalidSystemError,
  ProbeError,
  StepFailedError,
  TargetUnusableError,
  TransportError,
  UsageError,
} from "./errors.js";
