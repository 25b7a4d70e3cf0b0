import type { Compression, DeltaPath, StorePathInfo } from "../closure/index.js";

/** The phases of the install and deploy pipelines, in order (ARCHITECTURE.md). */
export type Phase =
  | "kexec"
  | "keys"
  | "wipe"
  | "partition"
  | "format"
  | "mount"
  | "copy"
  | "register"
  | "profile"
  | "activate"
  | "extra-files"
  | "unmount"
  | "switch"
  | "reboot";

/** `switch-to-configuration` actions a deploy can run. */
export type SwitchAction = "switch" | "boot" | "test" | "dry-activate";

/** Values a step hands to later steps and to the run's summary, by name. */
export interface StepOutputs {
  /** The new system's SSH host public key line, read before a reboot. */
  readonly hostKey?: string;
  /** The kexec installer's peak memory use in KiB (MemTotal - MemAvailable, sampled each second). */
  readonly installerPeakKib?: string;
}

/** Runs a command on the target; a non-zero exit fails the step. */
export interface RunStep {
  readonly kind: "run";
  readonly phase: Phase;
  /** One line saying what the step does, in the user's terms. */
  readonly description: string;
  readonly argv: readonly string[];
  /** @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Text written to the command's stdin. @default "" */
  readonly stdin?: string;
  /**
   * A secret written to the command's stdin instead of `stdin`. The plan names it only: its
   * bytes reach the runner apart from the plan (`RunPlanOptions.secrets`), so printing,
   * logging or serialising a plan or its events can never show them.
   */
  readonly secretStdin?: SecretInput;
  /** Keep the command's stdout as this output (e.g. the new host key a later wait trusts). */
  readonly capture?: keyof StepOutputs;
}

/** A secret a step reads, as the plan knows it: by name, never by value. */
export interface SecretInput {
  /** Its key in `RunPlanOptions.secrets`. */
  readonly name: string;
  /** What it is, for plans and messages, e.g. `64 bytes from ./luks.key`. */
  readonly description: string;
}

/** Streams a folder of this machine into a folder on the target (e.g. `--extra-files`). */
export interface CopyFilesStep {
  readonly kind: "copy-files";
  readonly phase: Phase;
  readonly description: string;
  /** The folder on this machine whose contents are copied. */
  readonly source: string;
  /** The command that unpacks the tar stream on the target. */
  readonly receiver: readonly string[];
}

/** Streams store paths from the source into the target through a receiver command. */
export interface CopyClosureStep {
  readonly kind: "copy-closure";
  readonly phase: "copy";
  readonly description: string;
  /** Paths to send, in reference order. */
  readonly paths: readonly StorePathInfo[];
  /** Sum of their NAR sizes. */
  readonly bytes: number;
  /** How the stream is compressed on its way (the receiver decompresses the same). */
  readonly compression: Compression;
  /** zstd's long-distance window (log2 bytes), chosen to fit the target's memory. @default 24 */
  readonly windowLog?: number | undefined;
  /** Send these paths as deltas against their predecessors on the target (all of `paths`). @default none */
  readonly deltas?: readonly DeltaPath[] | undefined;
  /** The command that unpacks the stream on the target. */
  readonly receiver: readonly string[];
}

/**
 * Switches a running system to a toplevel, detached from the connection so that a drop
 * cannot leave it half-switched; with magic rollback, confirmed over a new connection
 * (and health checks) or rolled back by the target itself. The run's summary carries the
 * outcome.
 */
export interface SwitchStep {
  readonly kind: "switch";
  readonly phase: "switch";
  readonly description: string;
  readonly action: SwitchAction;
  readonly toplevel: string;
  /** What a rollback returns to: the running toplevel, and the profile link to restore (none for `test`). */
  readonly previous?: { readonly toplevel: string; readonly link?: string | undefined } | undefined;
  readonly magicRollback: boolean;
  readonly confirmTimeoutS: number;
  readonly healthChecks: readonly string[];
  readonly healthTimeoutS: number;
}

/** Waits until a rebooted machine answers, over a new connection, running `toplevel`. */
export interface WaitForSystemStep {
  readonly kind: "wait-for-system";
  readonly phase: "reboot";
  readonly description: string;
  readonly toplevel: string;
  /** Trust the new host key an earlier step put into this output. */
  readonly hostKeyFrom?: keyof StepOutputs;
  readonly timeoutS: number;
}

/**
 * Waits until the machine answers over a new connection running the kexec installer
 * (`marker` exists), with the host key it had before: the same key, so nothing new is trusted.
 */
export interface WaitForInstallerStep {
  readonly kind: "wait-for-installer";
  readonly phase: "kexec";
  readonly description: string;
  /** A file only the installer has. */
  readonly marker: string;
  readonly timeoutS: number;
}

/** One unit of work. Steps are plain data, so plans print, snapshot and review as data. */
export type Step = RunStep | CopyClosureStep | CopyFilesStep | SwitchStep | WaitForSystemStep | WaitForInstallerStep;

/** The kexec installer of a plan, in numbers. */
export interface KexecSummary {
  readonly uploadBytes: number;
  readonly kernelBytes: number;
  readonly initrdBytes: number;
  /** Store paths of the closure the installer carries, and their NAR size. */
  readonly reusedPaths: number;
  readonly reusedBytes: number;
  /** RAM the running system needs free for the switch. */
  readonly loadRamBytes: number;
  /** RAM the installer needs. */
  readonly installerRamBytes: number;
  /** The machine already runs the installer (an earlier run switched to it): no second kexec. */
  readonly alreadyRunning?: true | undefined;
}

/** A whole run, decided before anything is touched. */
export interface Plan {
  readonly action: "install" | "deploy" | "rollback" | "gc";
  readonly target: string;
  /** The system toplevel being installed or deployed. */
  readonly toplevel: string;
  /**
   * Where the disk layout of an install comes from, when it has one: the `--layout` file,
   * `the system's <toplevel>/disko.json`, or `a Layout object`.
   */
  readonly layout?: string | undefined;
  /**
   * The closure's size and what of it has to travel: `total` paths, of which `present` are
   * registered on the target, `staged` complete in its staging folder from a cut run (they
   * are registered, not sent), and `paths` (`bytes`) are sent.
   */
  readonly copy: {
    readonly paths: number;
    readonly bytes: number;
    readonly present: number;
    readonly staged: number;
    readonly total: number;
    /** How many of `paths` go as deltas against a predecessor the target has. @default 0 */
    readonly deltas?: number | undefined;
    /** A rough estimate of the bytes that cross (compressed, deltas small), for the plan's summary. */
    readonly estimatedBytes?: number | undefined;
    /** Why no path goes as a delta, when that was asked for but the target cannot rebuild them. */
    readonly deltaNote?: string | undefined;
  };
  /** The generation this run creates, or the one that already points at the toplevel. */
  readonly generation: number;
  readonly steps: readonly Step[];
  /** A kexec install: what the installer costs (bytes sent before the switch, RAM). */
  readonly kexec?: KexecSummary | undefined;
  /**
   * Run after a failure or an abort, best effort, to release what the steps took: unmount,
   * close, deactivate. Each step is harmless when there is nothing to release.
   */
  readonly cleanup: readonly RunStep[];
}
