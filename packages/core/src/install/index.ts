export { planInstall, type PlanInstallErrorType, type PlanInstallParameters } from "./planInstall.js";
export type { InstallExtras } from "./planInstallExtras.js";
