/** One `system-N-link` in the target's system profile. */
export interface Generation {
  readonly number: number;
  /** The toplevel store path the link points at. */
  readonly toplevel: string;
}

/** What a probe found on a target. Plans are built from these facts and nothing else. */
export interface TargetFacts {
  /** `uname -m` where the target's commands run, e.g. `x86_64`. */
  readonly machine: string;
  /** `uname -r` of the target's running kernel, when the probe read it. */
  readonly kernelRelease?: string | undefined;
  /** The target's Nix database exists. */
  readonly hasNixDb: boolean;
  /** Store paths of the closure that the target has registered (valid in its Nix database). */
  readonly registered: ReadonlySet<string>;
  /**
   * Store paths of the closure that an interrupted copy left complete in the staging
   * folder: not registered yet, but they need not travel again.
   */
  readonly staged: ReadonlySet<string>;
  /** Filesystems the target's kernel mounts now or can load a module for (empty when probed with `kernel: false`). */
  readonly filesystems: ReadonlySet<string>;
  /** Kernel features the target has for layouts: `device-mapper`, `dm-crypt`, `md` (empty when probed with `kernel: false`). */
  readonly kernelFeatures: ReadonlySet<string>;
  /** Generations of the system profile, ascending by number. */
  readonly generations: readonly Generation[];
  /** The generation `profiles/system` points at, if any. */
  readonly currentGeneration: number | undefined;
  /**
   * The toplevel `/run/current-system` points at in the root: on a running target, the
   * system activated now, which need not be the current generation (a switch cut after
   * the profile step, a `boot` or `test` deploy).
   */
  readonly runningSystem?: string | undefined;
  /** Commands found on the target's PATH among those nixos-via may use. */
  readonly tools: ReadonlySet<string>;
  /** The version of the target's `zstd` (e.g. `1.5.4`), when it has one. */
  readonly zstdVersion?: string | undefined;
  /** The target's `tar` is GNU tar. */
  readonly gnuTar?: boolean | undefined;
  /** `MemAvailable` of the target's `/proc/meminfo` in bytes, when it has one. */
  readonly memAvailable?: number | undefined;
  /**
   * Registered store paths outside the closure with the name (without hash) or the package
   * name of one of its paths: the predecessors a delta can be made against.
   */
  readonly predecessors?: ReadonlySet<string> | undefined;
}
