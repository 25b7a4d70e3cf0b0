import type { ConnectionOptions } from "../connectionOptions.js";

/** Options of `nixos-via install`, as the command line gives them. */
export interface InstallOptions extends ConnectionOptions {
  readonly system?: string | undefined;
  readonly flake?: string | undefined;
  readonly dryRun?: boolean | undefined;
  /** `--delta` / `--no-delta`: deltas to local targets too, or never. @default to ssh:// only */
  readonly delta?: boolean | undefined;
  readonly json?: boolean | undefined;
  /** disko JSON layout to create first. */
  readonly layout?: string | undefined;
  /** Run the layout's hooks. */
  readonly allowLayoutHooks?: boolean | undefined;
  /** Devices the user allows to be erased, each named exactly. @default [] */
  readonly wipe: readonly string[];
  /** `NAME=DEVICE` for multi-disk layouts. @default [] */
  readonly disk: readonly string[];
  /** Bytes. */
  readonly imageSize?: number | undefined;
  /** For ssh://: the root where the disks are (or get) mounted. @default "/mnt" with --layout */
  readonly root?: string | undefined;
  /** For ssh:// with --layout: reboot into the new system and wait for it. @default true */
  readonly reboot: boolean;
  /** A local folder whose contents go into the new root, owned by root, modes kept. */
  readonly extraFiles?: string | undefined;
  /** `--disk-encryption-keys REMOTE LOCAL`: key files of this machine the layout reads at REMOTE. @default [] */
  readonly diskEncryptionKeys: readonly { readonly remote: string; readonly local: string }[];
  /** Take over a running non-NixOS Linux with kexec first (docs/kexec.md). */
  readonly kexec?: boolean | undefined;
  /** Copy the machine's SSH host keys into the new system. */
  readonly copyHostKeys?: boolean | undefined;
  /** How long to wait for the rebooted machine, in seconds. @default 600 */
  readonly waitTimeout?: number | undefined;
}
