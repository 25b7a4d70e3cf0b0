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
