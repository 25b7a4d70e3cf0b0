export { ENTER_SCRIPT, enterArgv } from "./enterScript.js";
export { generationLinkName, parseGenerationLink, profilePaths, type ProfilePaths } from "./profilePaths.js";
export { planInstallActivation } from "./planInstallActivation.js";
export { PROFILE_SCRIPT, planProfile, type ProfilePlan } from "./planProfile.js";
