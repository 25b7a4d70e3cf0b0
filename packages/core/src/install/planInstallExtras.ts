import type { CopyFilesStep, RunStep } from "../pipeline/Step.js";
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
  /** Reboot the machine into the new system at the end. @default false */
  readonly reboot?: boolean | undefined;
}

/** Steps placed before activation: the system then finds its host keys and files in place. */
export function planExtrasBeforeActivation(root: string, extras: InstallExtras): (RunStep | CopyFilesStep)[] {
  const steps: (RunStep | CopyFilesStep)[] = [];
  if (extras.copyHostKeys) {
    steps.push({
      kind: "run",
      phase: "extra-files",
      description: "copy this machine's SSH host keys into the new system",
      argv: [
        "sh",
        "-c",
        `set -e
mkdir -p -m 0755 "$1/etc/ssh"
for key in /etc/ssh/ssh_host_*_key; do
  [ -e "$key" ] || continue
  cp "$key" "$1$key" && chmod 0600 "$1$key"
  if [ -e "$key.pub" ]; then cp "$key.pub" "$1$key.pub" && chmod 0644 "$1$key.pub"; fi
done`,
        "nixos-via-copy-host-keys",
        root,
      ],
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
      argv: [
        "sh",
        "-c",
        `set -e
key="$1/etc/ssh/ssh_host_ed25519_key"
if [ ! -e "$key" ]; then
  if ! command -v ssh-keygen >/dev/null 2>&1; then
    echo "the new system has no SSH host key yet and there is no ssh-keygen to make one; pass --copy-host-keys or --no-reboot" >&2
    exit 1
  fi
  mkdir -p -m 0755 "$1/etc/ssh"
  ssh-keygen -q -t ed25519 -N "" -C "" -f "$key"
fi
cat "$key.pub"`,
        "nixos-via-host-key",
        root,
      ],
      capture: "hostKey",
    },
  ];
}

/** The last step: reboot once the connection has let go (the command must not hang up on us). */
export function planReboot(extras: InstallExtras): RunStep[] {
  if (!extras.reboot) return [];
  return [
    {
      kind: "run",
      phase: "reboot",
      description: "reboot into the new system",
      argv: ["sh", "-c", "sync; (sleep 2; reboot || reboot -f) >/dev/null 2>&1 </dev/null &", "nixos-via-reboot"],
    },
  ];
}
