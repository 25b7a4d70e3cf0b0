export type { ExecInput, ExecOptions, ExecResult, Target, TargetCapabilities } from "./Target.js";
export type { Generation, TargetFacts } from "./TargetFacts.js";
export { parseTargetUri, type TargetSpec } from "./TargetSpec.js";
export { PROBE_SCRIPT, parseProbeOutput, probeTarget } from "./probeTarget.js";
export { FEATURE_MODULES, KERNEL_CAPABILITIES } from "./kernelCapabilities.js";
export { nixStoreEnv, SELECT_NIX_STORE } from "./selectNixStore.js";
export { shellQuote } from "./shellQuote.js";
export { CHECK_BLOCK_DEVICE_SCRIPT, checkBlockDevice, parseBlockDeviceCheck } from "./checkBlockDevice.js";
