/** Options of `nixos-via install`, as the command line gives them. */
export interface InstallOptions {
  readonly system?: string | undefined;
  readonly flake?: string | undefined;
  readonly dryRun?: boolean | undefined;
  readonly json?: boolean | undefined;
  /** disko JSON layout to create first. */
  readonly layout?: string | undefined;
  /** Devices the user allows to be erased, each named exactly. @default [] */
  readonly wipe: readonly string[];
  /** `NAME=DEVICE` for multi-disk layouts. @default [] */
  readonly disk: readonly string[];
  readonly imageSize?: string | undefined;
  /** SSH private keys (`-i`). @default [] */
  readonly identity: readonly string[];
  readonly knownHosts?: string | undefined;
  readonly acceptNewHostKey?: boolean | undefined;
  readonly sshConfig?: string | undefined;
  readonly sudoPasswordStdin?: boolean | undefined;
  /** For ssh://: the root where the disks are (or get) mounted. @default "/mnt" with --layout */
  readonly root?: string | undefined;
  /** Reboot an ssh:// target into the new system and wait for it. @default true */
  readonly reboot: boolean;
}
