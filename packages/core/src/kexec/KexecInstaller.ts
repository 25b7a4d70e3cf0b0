/** A kexec installer built for one system (the SDK builds it with Nix; docs/kexec.md). */
export interface KexecInstaller {
  /** Its store path: `kernel`, `initrd`, `kexec/`, `busybox`, `cmdline`, `store-paths`. */
  readonly path: string;
  readonly kernelBytes: number;
  readonly initrdBytes: number;
  /** Everything sent to the target before the switch. */
  readonly uploadBytes: number;
  /** What the initrd holds unpacked (it lives in RAM). */
  readonly unpackedBytes: number;
  /** Store paths of the system's closure inside the initrd: copied onto the disk from RAM. */
  readonly storePaths: readonly string[];
  /** Their NAR size. */
  readonly reusedBytes: number;
  /** Commands on the installer's PATH. */
  readonly tools: readonly string[];
  /** Of those, the ones taken from the build machine (the closure lacks them). */
  readonly fromHost: readonly string[];
  /** `uname -r` of the installer's kernel (the system's own). */
  readonly kernelRelease: string;
  /** Module names of that kernel (`ext4`, `vfat`, `dm_crypt`…). */
  readonly modules: readonly string[];
}
