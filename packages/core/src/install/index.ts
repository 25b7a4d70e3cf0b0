export { planInstall, type PlanInstallErrorType, type PlanInstallParameters } from "./planInstall.js";
