import { TargetUnusableError } from "../errors/index.js";
import type { KexecFacts } from "./KexecFacts.js";
import type { KexecInstaller } from "./KexecInstaller.js";

const MIB = 1024 * 1024;

/**
 * RAM the old system needs free for the switch: the upload in tmpfs and the copy
 * `kexec --load` makes of kernel and initrd, plus room for the commands around them.
 */
export function kexecLoadBytes(installer: Pick<KexecInstaller, "uploadBytes" | "kernelBytes" | "initrdBytes">): number {
  return installer.uploadBytes + installer.kernelBytes + installer.initrdBytes + 16 * MIB;
}

/**
 * RAM the installer needs: its kernel running, the initrd unpacked in RAM (and the packed
 * initrd while it unpacks), and the install's own work (tar streams, mkfs; ~64 MiB).
 */
export function installerRamBytes(installer: Pick<KexecInstaller, "unpackedBytes" | "initrdBytes" | "kernelBytes">): number {
  return installer.unpackedBytes + installer.initrdBytes + 4 * installer.kernelBytes + 64 * MIB;
}

/**
 * Whether the machine can boot the installer with kexec, decided before anything changes:
 * the first reason it cannot, as a refusal a user can act on.
 */
export function checkKexec(uri: string, facts: KexecFacts, installer: KexecInstaller): TargetUnusableError | undefined {
  const refuse = (why: string) => new TargetUnusableError(uri, `${uri} cannot take over with kexec: ${why} (nothing was changed)`);
  if (facts.kexecSwitching) {
    return new TargetUnusableError(uri, `${uri} is switching to the nixos-via installer (an earlier run ran kexec -e moments ago): wait a few seconds and run the same command again, which continues in the installer (nothing was changed)`);
  }
  if (facts.uid !== 0) return refuse("the commands do not run as root; log in as root or pass --sudo");
  if (facts.container !== undefined) return refuse(`it runs in a container (${facts.container}), whose kernel belongs to the host`);
  if (facts.xenPv) return refuse("it is a Xen PV guest, which cannot kexec; use the provider's rescue system or an HVM instance");
  if (!facts.kexecSupported) return refuse(`its kernel ${facts.kernelRelease} has no kexec (no /sys/kernel/kexec_loaded)`);
  if (facts.kexecLoadDisabled) return refuse("kexec is switched off (/proc/sys/kernel/kexec_load_disabled is 1; it stays off until a reboot)");
  if (facts.lockdown !== undefined && facts.lockdown !== "none") {
    return refuse(`its kernel is locked down (${facts.lockdown}${facts.secureBoot ? ", Secure Boot is on" : ""}) and loads only signed kernels`);
  }
  if (facts.secureBoot) return refuse("Secure Boot is on: its kernel loads only signed kernels");
  if (!facts.hasTar) return refuse("it has no tar to unpack the installer");
  if (facts.uploadDir === undefined) return refuse("no writable /run, /dev/shm or /tmp for the upload");
  const need = kexecLoadBytes(installer);
  if (facts.memAvailableKib * 1024 < need) {
    return refuse(`${Math.floor(facts.memAvailableKib / 1024)} MiB of RAM is available and the switch needs ${Math.ceil(need / MIB)} MiB`);
  }
  const total = installerRamBytes(installer);
  if (facts.memTotalKib * 1024 < total) {
    return refuse(`it has ${Math.floor(facts.memTotalKib / 1024)} MiB of RAM and the installer needs ${Math.ceil(total / MIB)} MiB`);
  }
  return undefined;
}
