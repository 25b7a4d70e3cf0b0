import type { CopyFilesStep, RunStep, WaitForSystemStep } from "../pipeline/Step.js";
import copyHostKeysScript from "./copyHostKeys.sh";
import readHostKeyScript from "./readHostKey.sh";
import rebootScript from "./reboot.sh";
import type { DiskEncryptionKey } from "./planDiskEncryptionKeys.js";

/** What an install does beyond nixos-install's steps (mostly for ssh:// targets). */
export interface InstallExtras {
  /** Copy the machine's current SSH host keys into the new system (mode 0600). @default false */
  readonly copyHostKeys?: boolean | undefined;
  /** A folder on the operator's machine whose contents are copied into the new root, owned by root, modes kept. */
  readonly extraFiles?: string | undefined;
  /** Read the new system's SSH host key (captured as `hostKey`) to trust it after the reboot. @default false */
  readonly readHostKey?: boolean | undefined;
  /**
   * LUKS key files sent from this machine for the layout (`--disk-encryption-keys`): the
   * runner gets each key's bytes as the secret named by its `remote`. @default none
   */
  readonly diskEncryptionKeys?: readonly DiskEncryptionKey[] | undefined;
  /** Reboot the machine into the new system at the end, then wait for it. @default false */
  readonly reboot?: boolean | undefined;
  /** How long to wait for the rebooted machine. @default 600 (software-emulated machines boot slowly) */
  readonly waitTimeoutS?: number | undefined;
}

/** Steps placed before activation: the system then finds its host keys and files in place. */
export function planExtrasBeforeActivation(root: string, extras: InstallExtras): (RunStep | CopyFilesStep)[] {
  const steps: (RunStep | CopyFilesStep)[] = [];
  if (extras.copyHostKeys) {
    steps.push({
      kind: "run",
      phase: "extra-files",
      description: "copy this machine's SSH host keys into the new system",
      argv: ["sh", "-c", copyHostKeysScript, "nixos-via-copy-host-keys", root],
    });
  }
  if (extras.extraFiles !== undefined) {
    steps.push({
      kind: "copy-files",
      phase: "extra-files",
      description: `copy the contents of ${extras.extraFiles} into the new root`,
      source: extras.extraFiles,
      // Root extracting keeps the archive's owners (0:0) and modes.
      receiver: ["tar", "-x", "-f", "-", "-C", root],
    });
  }
  return steps;
}

/**
 * Steps after activation: learn the new system's host key while the connection is
 * trusted. NixOS makes host keys when sshd first starts, after the reboot, so a system
 * that has none yet gets one here (kept by NixOS, as existing keys always are).
 */
export function planReadHostKey(root: string, extras: InstallExtras): RunStep[] {
  if (!extras.readHostKey) return [];
  return [
    {
      kind: "run",
      phase: "activate",
      description: "read (or make) the new system's SSH host key",
      argv: ["sh", "-c", readHostKeyScript, "nixos-via-host-key", root],
      capture: "hostKey",
    },
  ];
}

/**
 * The last steps: reboot once the connection has let go (the command must not hang up on
 * us), then wait until the machine answers running the new system, trusting the host key
 * read before the reboot.
 */
export function planReboot(extras: InstallExtras, toplevel: string): (RunStep | WaitForSystemStep)[] {
  if (!extras.reboot) return [];
  const timeoutS = extras.waitTimeoutS ?? 600;
  return [
    {
      kind: "run",
      phase: "reboot",
      description: "reboot into the new system",
      argv: ["sh", "-c", rebootScript, "nixos-via-reboot"],
    },
    {
      kind: "wait-for-system",
      phase: "reboot",
      description: `wait until the machine answers running the new system (up to ${timeoutS}s)`,
      toplevel,
      ...(extras.readHostKey ? { hostKeyFrom: "hostKey" as const } : {}),
      timeoutS,
    },
  ];
}
