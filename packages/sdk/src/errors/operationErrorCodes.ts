import type { OperationError } from "./OperationError.js";

// Which codes each operation can end with, read from what it calls; errorCodes.test.ts
// checks the lists against ErrorCode. Transports outside this repository are expected to
// end with the transport codes (USAGE, TARGET_UNUSABLE, TRANSPORT).

/** What any operation that opens a target can end with: bad input, a target that cannot be used or reached, a failed probe, the SSH transport's refusals. */
export type TargetErrorCode =
  | "USAGE"
  | "TARGET_UNUSABLE"
  | "TRANSPORT"
  | "PROBE"
  | "SSH_HOST_KEY_UNKNOWN"
  | "SSH_HOST_KEY_MISMATCH"
  | "SSH_CONFIG"
  | "SSH_CONNECT"
  | "SSH_SUDO";
/** What running a plan adds: a failed step, a stop by the abort signal. */
export type PlanErrorCode = TargetErrorCode | "STEP_FAILED" | "ABORTED";
/** What reading the system from this machine's Nix store adds. */
export type SystemErrorCode = "INVALID_SYSTEM" | "CLOSURE_READ";
/** What a switch of the target adds: it did not start, or was lost track of. */
export type SwitchErrorCode = "SWITCH_START" | "SWITCH_FOLLOW";

/**
 * The codes {@link deployFleet}, {@link planFleet}, {@link fleetInfo} and
 * {@link setFleetArgs} can end with: the network could not be read, evaluated, built or
 * planned. A host that fails is an outcome in the report, never an error.
 */
export type FleetErrorCode = "USAGE" | "INVALID_SYSTEM" | "TRANSPORT";
/** The codes {@link install} can end with. */
export type InstallErrorCode = PlanErrorCode | SystemErrorCode | "LAYOUT_INVALID" | "SYSTEM_NOT_UP";
/**
 * The codes {@link deploy} can end with. A switch that did not stick is no error of the
 * deploy: its report says so (`succeeded: false`, and `problem` with a `DEPLOY_*` code).
 */
export type DeployErrorCode = PlanErrorCode | SystemErrorCode | SwitchErrorCode;
/** The codes {@link rollback} can end with; `DEPLOY_*` say how a way back that did not stick ended. */
export type RollbackErrorCode = PlanErrorCode | SwitchErrorCode | "DEPLOY_ROLLED_BACK" | "DEPLOY_ROLLBACK_FAILED" | "DEPLOY_NO_PREVIOUS_GENERATION";
/** The codes {@link gc} can end with. */
export type GcErrorCode = PlanErrorCode;
/** The codes {@link generations} can end with. */
export type GenerationsErrorCode = TargetErrorCode;
/** The codes the container operations ({@link startContainer}, {@link stopContainer}, {@link containerStatus}, {@link containerLogs}) can end with. */
export type ContainerErrorCode = TargetErrorCode;
/** The codes {@link enter} can end with. */
export type EnterErrorCode = "USAGE" | "TARGET_UNUSABLE" | "TRANSPORT";

/** An error {@link install} ends with. */
export type InstallError = OperationError<InstallErrorCode>;
/** An error {@link deploy} ends with. */
export type DeployError = OperationError<DeployErrorCode>;
/** An error {@link rollback} ends with. */
export type RollbackError = OperationError<RollbackErrorCode>;
/** An error {@link gc} ends with. */
export type GcError = OperationError<GcErrorCode>;
/** An error {@link generations} ends with. */
export type GenerationsError = OperationError<GenerationsErrorCode>;
/** An error a container operation ends with. */
export type ContainerError = OperationError<ContainerErrorCode>;
/** An error {@link enter} ends with. */
export type EnterError = OperationError<EnterErrorCode>;
/** An error the fleet operations end with. */
export type FleetError = OperationError<FleetErrorCode>;
