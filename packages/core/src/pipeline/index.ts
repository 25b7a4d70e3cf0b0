export { formatBytes, formatPlan, formatSteps } from "./formatPlan.js";
export type { PipelineEvent } from "./PipelineEvent.js";
export { runPlan, type RunPlanOptions, type RunSummary } from "./runPlan.js";
export type { CopyClosureStep, CopyFilesStep, Phase, Plan, RunStep, SecretInput, Step } from "./Step.js";
