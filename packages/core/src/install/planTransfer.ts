import { err, ok, type Result } from "neverthrow";
import { enterArgv } from "../activation/enterScript.js";
import {
  closureBytes,
  DEFAULT_DECODER_WINDOW_LOG,
  formatRegistration,
  planCopy,
  planDeltas,
  receiveClosureScript,
  type Compression,
  type CopyPlan,
  type DeltaPath,
  type NixosSystem,
  type StorePathInfo,
} from "../closure/index.js";
import { TargetUnusableError } from "../errors/index.js";
import type { Step } from "../pipeline/Step.js";
import type { Target, TargetFacts } from "../target/index.js";

/** The copy and registration of a closure, shared by installs and deploys. */
export interface TransferPlan {
  readonly copy: CopyPlan;
  readonly steps: readonly Step[];
  /** How many paths go as deltas, the estimated bytes on the way, and why none do when that was asked for. */
  readonly delta: { readonly paths: number; readonly estimatedBytes: number; readonly note?: string | undefined };
}

/** Whether and against what to send deltas (`deploy`/`install` options `delta`). */
export interface DeltaOptions {
  /** `auto`: to targets across a network only (a local copy is faster than computing deltas). @default "auto" */
  readonly mode?: "auto" | "on" | "off" | undefined;
  /**
   * Path infos of the target's predecessors ({@link TargetFacts.predecessors}) that this
   * machine holds: a delta is computed against this machine's copy.
   */
  readonly predecessors: readonly StorePathInfo[];
}

/** The oldest zstd whose `--patch-from` the receiver may use. */
const PATCH_FROM_ZSTD = [1, 4, 5] as const;
/**
 * Rough compressed size of a NAR with zstd -3 (the benchmark's closure: 247 of 654 MiB),
 * and what a delta path costs: its size change, or at least 1 % of it (headers, references).
 */
const ZSTD_RATIO = 0.38;
const DELTA_MIN_SHARE = 0.01;

/**
 * Plans moving a system's closure onto a target: one compressed stream of the paths it
 * has neither registered nor staged, then one registration of everything unregistered,
 * with the Nix whose database schema the target expects.
 */
export function planTransfer(
  system: NixosSystem,
  target: Pick<Target, "uri" | "root" | "capabilities">,
  facts: TargetFacts,
  delta: DeltaOptions = { predecessors: [] },
): Result<TransferPlan, TargetUnusableError> {
  const register = registerCommand(system, target, facts);
  if (register === undefined) {
    return err(
      new TargetUnusableError(target.uri, `cannot register store paths on ${target.uri}: the system's closure has no nix-store and the target has no Nix`),
    );
  }
  // Paths an interrupted copy left complete on the target need registering, not sending.
  const copy = planCopy(system.closure, facts.registered, facts.staged);
  const unregistered = system.closure.paths.filter((p) => !facts.registered.has(p.path));
  const compression = chooseCompression(target, facts);
  const windowLog = compression === "zstd" ? chooseWindowLog(facts) : undefined;
  const ratio = compression === "none" ? 1 : ZSTD_RATIO;
  if (unregistered.length === 0) return ok({ copy, steps: [], delta: { paths: 0, estimatedBytes: 0 } });
  const mode = delta.mode ?? "auto";
  const wanted = mode === "on" || (mode === "auto" && target.capabilities.remote);
  const unsupported = wanted ? deltaUnsupported(facts) : undefined;
  const { deltas, full } = wanted && unsupported === undefined ? planDeltas(copy.missing, delta.predecessors) : { deltas: [], full: copy.missing };
  const sizes = new Map([...copy.missing, ...delta.predecessors].map((p) => [p.path, p.narSize]));
  const deltaBytes = deltas.reduce((n, d) => n + Math.max(Math.abs(sizes.get(d.path)! - sizes.get(d.from)!), sizes.get(d.path)! * DELTA_MIN_SHARE), 0);
  const estimatedBytes = Math.round(ratio * (closureBytes(full) + deltaBytes));
  const deltaSet = new Set(deltas.map((d) => d.path));
  const deltaPaths = copy.missing.filter((p) => deltaSet.has(p.path));
  const copySteps: Step[] = [];
  if (deltas.length > 0) copySteps.push(deltaStep(deltaPaths, deltas, target.root, compression, full.length > 0 ? "stage" : "promote"));
  if (full.length > 0 || deltas.length === 0) {
    copySteps.push({
      kind: "copy-closure",
      phase: "copy",
      description: `copy ${full.length} store paths` + (facts.staged.size > 0 ? ` (${facts.staged.size} already staged by an earlier run)` : ""),
      paths: full,
      bytes: closureBytes(full),
      compression,
      ...(windowLog === undefined ? {} : { windowLog }),
      receiver: receiveClosureScript(target.root, compression, deltas.length > 0 ? "after-stage" : "promote", windowLog),
    });
  }
  return ok({
    copy,
    delta: { paths: deltas.length, estimatedBytes, ...(unsupported === undefined ? {} : { note: unsupported }) },
    steps: [
      ...copySteps,
      {
        kind: "run",
        phase: "register",
        description: `register ${unregistered.length} store paths in the target's Nix database`,
        argv: register,
        // Nix asks for the user's name, and before activation a new root has no /etc/passwd.
        env: { USER: "root", NIX_CONFIG: "build-users-group =" },
        stdin: formatRegistration(unregistered),
      },
    ],
  });
}

/** The plan summary's delta fields (`Plan.copy`), present only when they say something. */
export function copyDeltaSummary(transfer: TransferPlan): { deltas?: number; estimatedBytes?: number; deltaNote?: string } {
  return {
    ...(transfer.delta.paths > 0 ? { deltas: transfer.delta.paths, estimatedBytes: transfer.delta.estimatedBytes } : {}),
    ...(transfer.delta.note === undefined ? {} : { deltaNote: transfer.delta.note }),
  };
}

/**
 * The paths that have a predecessor on the target, as deltas, in one stream before the
 * rest: their complete paths stay staged (`stage`) for the full copy that follows, so a cut
 * during that long copy keeps them. The stream keeps zstd's narrow window: it is mostly
 * hard links and small deltas, which a wide window does not shrink, and the target's peak
 * stays where it was (the benchmark's changed-contents upgrade: 66 MiB with 64 MiB, ~40
 * with 16).
 */
function deltaStep(
  paths: readonly StorePathInfo[],
  deltas: readonly DeltaPath[],
  root: string,
  compression: Compression,
  finish: "stage" | "promote",
): Step {
  return {
    kind: "copy-closure",
    phase: "copy",
    description: `copy ${paths.length} store paths as deltas against their predecessors on the target`,
    paths,
    bytes: closureBytes(paths),
    compression,
    deltas,
    receiver: receiveClosureScript(root, compression, finish),
  };
}

/** Why the target cannot rebuild deltas, or undefined when it can: they need its zstd ≥ 1.4.5, GNU tar and sha256sum. */
function deltaUnsupported(facts: TargetFacts): string | undefined {
  const zstdOk = facts.tools.has("zstd") && atLeast(facts.zstdVersion, PATCH_FROM_ZSTD);
  const missing = [
    ...(zstdOk ? [] : [`zstd ≥ 1.4.5 (${facts.tools.has("zstd") ? `it has ${facts.zstdVersion ?? "an unknown version"}` : "it has none"})`]),
    ...(facts.gnuTar === true ? [] : ["GNU tar"]),
    ...(facts.tools.has("sha256sum") ? [] : ["sha256sum"]),
  ];
  return missing.length === 0 ? undefined : `all paths go in full: the target lacks ${missing.join(", ")} to rebuild deltas`;
}

/** Whether a dotted version (`1.5.4`) is at least `least`; an unknown or malformed one is not. */
function atLeast(version: string | undefined, least: readonly number[]): boolean {
  const parts = (version ?? "").split(".").map(Number);
  if (parts.length !== least.length || parts.some((n) => !Number.isInteger(n))) return false;
  const first = least.findIndex((v, i) => parts[i] !== v);
  return first < 0 || parts[first]! > least[first]!;
}

/** Compress what crosses a network, with the best the target can decompress. */
function chooseCompression(target: Pick<Target, "capabilities">, facts: TargetFacts): Compression {
  if (!target.capabilities.remote) return "none";
  if (facts.tools.has("zstd")) return "zstd";
  return facts.tools.has("gzip") ? "gzip" : "none";
}

/**
 * zstd's long-distance windows the sender may use (log2 bytes): 16 MiB to 512 MiB. A
 * `zstd -d` reads up to 128 MiB without being told (its default memory limit is 2^27);
 * a wider window is named on the receiver's command line ({@link receiveClosureScript}).
 */
const WINDOW_LOG = { min: 24, max: 29 } as const;
/** The first zstd whose `-d` takes `--long=N` to read windows wider than it reads unasked. */
const LONG_DECODER_ZSTD = [1, 3, 2] as const;
/** The receiver's `zstd -d` needs about its window plus this; it may take an eighth of what the target has free. */
const DECODER_OVERHEAD = 8 * 1024 * 1024;
const DECODER_SHARE = 1 / 8;

/**
 * The widest long-distance window whose decoder fits an eighth of the target's available
 * memory: long matches across store paths are what a wider window buys (the benchmark's
 * 700 MB closure tar at `-3`: 241.8 MB with 16 MiB, 228.9 MB with 64 MiB, 222.4 MB with
 * 128 MiB, 214.0 MB with 256 MiB, 209.0 MB with 512 MiB, at the same CPU), and the
 * receiving `zstd -d` holds the whole window (20, 70, 133 and 516 MiB peak with 16, 64,
 * 128 and 512 MiB). 512 MiB needs 4160 MiB free, 128 MiB 1088 MiB, 32 MiB 320 MiB (a 512
 * MiB machine); a target with less, or one that did not say (an installer running from
 * RAM is planned before it runs), gets 16 MiB; one whose zstd is older than 1.3.2, or did
 * not say its version, no more than 128 MiB. The sender may use less where its own
 * memory is short (`fitWindowLog` of transport-local); the decoder's limit stays an upper bound.
 */
export function chooseWindowLog(facts: Pick<TargetFacts, "memAvailable" | "zstdVersion">): number {
  const budget = (facts.memAvailable ?? 0) * DECODER_SHARE;
  let log: number = atLeast(facts.zstdVersion, LONG_DECODER_ZSTD) ? WINDOW_LOG.max : DEFAULT_DECODER_WINDOW_LOG;
  while (log > WINDOW_LOG.min && 2 ** log + DECODER_OVERHEAD > budget) log--;
  return log;
}

/**
 * A tree on this machine (`dir:`, a mounted `disk:` or `image:`) is data, not code: this
 * machine's Nix registers into it. A running system registers with its own Nix (the
 * database is its). A root being installed on another machine registers with the new
 * system's own nix-store inside the root, so the database gets the schema that system
 * expects; the target's Nix is the fallback.
 */
function registerCommand(system: NixosSystem, target: Pick<Target, "root" | "capabilities">, facts: TargetFacts): string[] | undefined {
  if (target.capabilities.hostNix) return ["nix-store", "--store", `local?root=${target.root}`, "--load-db"];
  if (target.capabilities.running && facts.tools.has("nix-store")) return ["nix-store", "--load-db"];
  if (system.nixStore !== undefined) {
    return target.capabilities.running ? [system.nixStore, "--load-db"] : enterArgv(target.root, undefined, [system.nixStore, "--load-db"]);
  }
  if (facts.tools.has("nix-store")) return ["nix-store", "--store", `local?root=${target.root}`, "--load-db"];
  return undefined;
}
