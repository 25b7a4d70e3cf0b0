export { checkKexec, installerRamBytes, kexecLoadBytes } from "./checkKexec.js";
export { parseKexecFacts, type KexecFacts } from "./KexecFacts.js";
export type { KexecInstaller } from "./KexecInstaller.js";
export { INSTALLER_MARKER, planKexecInstall, type PlanKexecInstallParameters } from "./planKexecInstall.js";
import kexecProbeScript from "./kexecProbe.sh";

/** The kexec probe (kexecProbe.sh): key=value lines {@link parseKexecFacts} reads; changes nothing. */
export const KEXEC_PROBE_SCRIPT: string = kexecProbeScript;
