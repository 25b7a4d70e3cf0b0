export { planInstall, type PlanInstallErrorType, type PlanInstallParameters } from "./planInstall.js";
export type { InstallExtras } from "./planInstallExtras.js";
export { planTransfer, type TransferPlan } from "./planTransfer.js";
