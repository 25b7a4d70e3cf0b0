export { planInstall, type PlanInstallErrorType, type PlanInstallParameters } from "./planInstall.js";
export type { InstallExtras } from "./planInstallExtras.js";
export { chooseWindowLog, planTransfer, type DeltaOptions, type TransferPlan } from "./planTransfer.js";
export { DISK_KEY_SCRIPT, DISK_KEY_STORE, planDiskEncryptionKeys, type DiskEncryptionKey, type DiskKeyPlan } from "./planDiskEncryptionKeys.js";
export { checkLayoutBootsSystem } from "./checkLayoutBootsSystem.js";
