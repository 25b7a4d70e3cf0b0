export { diffClosures, formatClosureDiff, splitName, type ClosureDiff, type SizedPath, type VersionChange } from "./diffClosures.js";
export { CURRENT_CLOSURE_SCRIPT, readCurrentClosure, type CurrentClosure } from "./readCurrentClosure.js";
export { SWITCH_FOLLOW_SCRIPT, SWITCH_ROLLBACK_REQUEST_SCRIPT, SWITCH_RUN_SCRIPT, SWITCH_START_SCRIPT } from "./switchScripts.js";
export {
  DeployNoPreviousGenerationError,
  DeployRollbackFailedError,
  DeployRolledBackError,
  switchDetached,
  type SwitchAction,
  type SwitchDetachedParameters,
} from "./switchDetached.js";
export type { RollbackCause, SwitchOutcome } from "./SwitchOutcome.js";
export { planDeploy, type DeployPlan, type PlanDeployParameters } from "./planDeploy.js";
export { GENERATIONS_SCRIPT, listGenerations, parseGenerations, planGc, type GcPolicy, type GenerationInfo } from "./generations.js";
export { planRollback, type RollbackPlan } from "./planRollback.js";
