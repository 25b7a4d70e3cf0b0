import { parseGenerationLink } from "../activation/profilePaths.js";
import { err, ok, ResultAsync, type Result } from "neverthrow";
import { STAGED_PATH_CHECK } from "../closure/markPathBoundaries.js";
import { ProbeError, type NixosViaError } from "../errors/index.js";
import { KERNEL_CAPABILITIES } from "./kernelCapabilities.js";
import { nixStoreEnv, SELECT_NIX_STORE } from "./selectNixStore.js";
import type { Generation, TargetFacts } from "./TargetFacts.js";
import type { Target } from "./Target.js";
import probeScript from "./probe.sh";

/** Tools the probe looks for; plans name the missing ones instead of failing halfway. */
const TOOLS = ["tar", "zstd", "gzip", "unshare", "chroot", "mount", "umount", "nix-store", "sync", "sha256sum"] as const;

/**
 * Reads everything a plan needs in one round trip. The closure's paths arrive on stdin,
 * and the target's own Nix says which of them are valid. It prefers the Nix of the
 * system already in the root (its database schema is the one that root expects), then a
 * Nix on the target's PATH. Without a database nothing is registered, and no Nix runs:
 * opening a store would create one.
 */
export const PROBE_SCRIPT: string = STAGED_PATH_CHECK + KERNEL_CAPABILITIES + SELECT_NIX_STORE + probeScript;

/**
 * Probes a target: machine, tools (the usual ones and `options.tools`, zstd's version, GNU
 * tar), filesystems and kernel features, generations, the system running now, which of
 * `paths` it has registered or staged, and which registered paths outside them could be
 * their predecessors (same name without hash, or same package name) for deltas. `kernel: false` leaves out the
 * file systems and kernel features (only a disk layout needs them): ~30 commands on the
 * target, a third of the probe's time on the benchmark's machine.
 *
 * @example
 * ```ts
 * const facts = await probeTarget(target, closure.paths.map((p) => p.path));
 * if (facts.isOk()) console.log(facts.value.registered.size, "paths already there");
 * ```
 */
export function probeTarget(
  target: Target,
  paths: readonly string[],
  options: ProbeOptions = {},
): ResultAsync<TargetFacts, NixosViaError> {
  const tools = [...new Set([...TOOLS, ...(options.tools ?? [])])];
  const onCandidates = options.onCandidates;
  return target
    .exec(["sh", "-c", PROBE_SCRIPT, "nixos-via-probe", target.root, ...tools], {
      env: { ...nixStoreEnv(target), ...(options.kernel === false ? { NIXOS_VIA_PROBE_KERNEL: "skip" } : {}) },
      stdin: paths.length === 0 ? "" : `${paths.join("\n")}\n`,
      ...(onCandidates === undefined ? {} : { onStdout: candidatesWatcher(onCandidates) }),
    })
    .andThen((result) =>
      result.exitCode === 0
        ? parseProbeOutput(result.stdout, paths)
        : err(new ProbeError(`the probe of ${target.uri} exited with ${result.exitCode}`, { details: result.stderr })),
    );
}

/** What {@link probeTarget} looks for, and who hears of predecessors early. */
export interface ProbeOptions {
  /** Tools to look for besides the usual ones (a layout's `mkfs.*`, …). */
  readonly tools?: readonly string[];
  /** `false` leaves out file systems and kernel features. @default true */
  readonly kernel?: boolean;
  /**
   * Called once, before the target's Nix runs, with the store paths that may be
   * predecessors (not yet checked to be valid there): reading this machine's copies can
   * start while the probe finishes. Not called when the probe ends before that point.
   */
  readonly onCandidates?: (candidates: readonly string[]) => void;
}

/** An `onStdout` that collects `candidate=` lines and calls `onCandidates` at `candidates=end`. */
function candidatesWatcher(onCandidates: (candidates: readonly string[]) => void): (chunk: Uint8Array) => void {
  const decoder = new TextDecoder();
  let pending = "";
  let done = false;
  const candidates: string[] = [];
  return (chunk) => {
    if (done) return;
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "candidates=end") {
        done = true;
        onCandidates(candidates);
        return;
      }
      if (line.startsWith("candidate=")) candidates.push(line.slice("candidate=".length));
    }
  };
}

/** Reads the probe's `key=value` lines. Exported for tests. */
export function parseProbeOutput(stdout: string, paths: readonly string[]): Result<TargetFacts, ProbeError> {
  let machine = "";
  let kernelRelease: string | undefined;
  let hasNixDb = false;
  let profile: string | undefined;
  let runningSystem: string | undefined;
  const tools = new Set<string>();
  const invalid = new Set<string>();
  const staged = new Set<string>();
  const filesystems = new Set<string>();
  const features = new Set<string>();
  const generations: Generation[] = [];
  const candidates = new Set<string>();
  let zstdVersion: string | undefined;
  let gnuTar = false;
  let memAvailable: number | undefined;
  for (const line of stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    switch (key) {
      case "machine":
        machine = value;
        break;
      case "kernel":
        kernelRelease = value;
        break;
      case "tool":
        tools.add(value);
        break;
      case "db":
        hasNixDb = value === "present";
        break;
      case "profile":
        profile = value;
        break;
      case "running":
        if (value.startsWith("/nix/store/")) runningSystem = value;
        break;
      case "invalid":
        invalid.add(value);
        break;
      case "staged":
        staged.add(value);
        break;
      case "candidate":
        candidates.add(value);
        break;
      case "zstd_version":
        zstdVersion = value;
        break;
      case "gnu_tar":
        gnuTar = value === "yes";
        break;
      case "mem_available_kib":
        if (/^\d+$/.test(value)) memAvailable = Number(value) * 1024;
        break;
      case "filesystem":
        filesystems.add(value);
        break;
      case "feature":
        features.add(value);
        break;
      case "error":
        return err(new ProbeError(value));
      case "generation": {
        const m = /^system-(\d+)-link (\/.+)$/.exec(value);
        if (m !== null) generations.push({ number: Number(m[1]), toplevel: m[2]! });
        break;
      }
    }
  }
  if (machine === "") return err(new ProbeError("the probe did not report the target's machine type", { details: stdout }));
  generations.sort((a, b) => a.number - b.number);
  const current = profile === undefined ? undefined : parseGenerationLink(profile);
  const registered = new Set(hasNixDb ? paths.filter((p) => !invalid.has(p)) : []);
  const stagedPaths = new Set(paths.filter((p) => !registered.has(p) && staged.has(p.slice(p.lastIndexOf("/") + 1))));
  return ok({
    machine,
    kernelRelease,
    hasNixDb,
    registered,
    staged: stagedPaths,
    filesystems,
    kernelFeatures: features,
    generations,
    currentGeneration: current,
    runningSystem,
    tools,
    zstdVersion,
    gnuTar,
    memAvailable,
    predecessors: new Set(hasNixDb ? [...candidates].filter((p) => !invalid.has(p)) : []),
  });
}
