export { formatBytes, formatPlan, formatSteps } from "./formatPlan.js";
export type { PipelineEvent } from "./PipelineEvent.js";
export { runPlan, switchSucceeded, type RunPlanOptions, type RunSummary } from "./runPlan.js";
export type { CopyClosureStep, CopyFilesStep, KexecSummary, Phase, Plan, RunStep, SecretInput, Step, StepOutputs, SwitchAction, SwitchStep, WaitForInstallerStep, WaitForSystemStep } from "./Step.js";
