export { diffClosures, formatClosureDiff, splitName, type ClosureDiff, type SizedPath, type VersionChange } from "./diffClosures.js";
export { CURRENT_CLOSURE_SCRIPT, readCurrentClosure, type CurrentClosure } from "./readCurrentClosure.js";
export { SWITCH_FOLLOW_SCRIPT, SWITCH_ROLLBACK_REQUEST_SCRIPT, SWITCH_RUN_SCRIPT, SWITCH_START_SCRIPT } from "./switchScripts.js";
export {
  DeployNoPreviousGenerationError,
  DeployRollbackFailedError,
  DeployRolledBackError,
  switchDetached,
  type SwitchDetachedParameters,
} from "./switchDetached.js";
export type { RollbackCause, SwitchOutcome, WithLog } from "./SwitchOutcome.js";
export { planDeploy, type DeployPlan, type PlanDeployParameters } from "./planDeploy.js";
export { GENERATIONS_SCRIPT, listGenerations, parseGenerations, planGc, type GcPolicy, type GenerationInfo } from "./generations.js";
export { planRollback, type PlanRollbackParameters, type RollbackPlan } from "./planRollback.js";
export { switchOutcomeError, type SwitchContext, type SwitchOutcomeError } from "./switchOutcomeError.js";
