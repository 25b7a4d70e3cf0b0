import { readdirSync } from "node:fs";
import { freemem } from "node:os";
import { execa } from "execa";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { END_MARKER, markPathBoundaries, tarEnd, tarFile, TransportError, type ExportOptions, type PathExport } from "@nixos-via/core";
import { compressInSegments, FAST_LEVEL, held } from "./compressInSegments.js";
import { deltaMembers } from "./exportDeltas.js";

/** More than tar's last record (10 KiB: its end-of-archive blocks and padding). */
const TAR_TAIL = 16 * 1024;

/**
 * Compressor commands: fast levels, all cores, since the link and not the CPU should limit.
 * zstd matches long distances in the window the plan chose for the target's memory
 * (`windowLog`, 16 MiB unless told): of the benchmark's 700 MB closure tar, `-3` makes 257.2
 * MB, `--long=24` 241.8 MB and `--long=26` 230.8 MB, at the same CPU (measured again later:
 * `--long=26` 228.9 MB, `--long=27` 222.4 MB); the receiver's `zstd -d` then peaks at 6, 20,
 * 70 and 133 MiB (docs/performance.md; the window follows the target's free memory,
 * chooseWindowLog, up to 512 MiB: 209.0 MB). A window wider than 128 MiB is named on the
 * receiver's command line (`--long=N`); narrower ones need no flag. With a window narrower
 * than 256 MiB the level changes between segments of the stream with the link
 * (`nextLevel`, compressInSegments.ts; {@link keepsOneLevel}); the window stays.
 */
function compressorArgv(compression: "zstd" | "gzip", level: number, windowLog = 24): [string, ...string[]] {
  return compression === "zstd" ? ["zstd", "-q", "-c", `-${level}`, `--long=${windowLog}`, "-T0"] : ["gzip", "-c", "-1"];
}

/** The compressor may hold this share of this machine's available memory. */
const COMPRESSOR_SHARE = 1 / 4;

/**
 * The window the compressor uses: the planned one (it fits the target's decoder), narrowed
 * until zstd fits a quarter of this machine's available memory. `zstd -3 --long=N -T0`
 * holds about 1.15 × its window (on the benchmark's 700 MB closure: 577 MB with 512 MiB,
 * 611 MB with 16 threads, 298 MB with 256 MiB); 1.25 × it is counted, plus 16 MiB. A
 * narrower window than the receiver was told of is still read. Pure.
 *
 * @example
 * ```ts
 * fitWindowLog(29, 8 * 2 ** 30); // 29: 640 MiB fits a quarter of 8 GiB
 * fitWindowLog(29, 2 * 2 ** 30); // 28
 * ```
 */
export function fitWindowLog(planned: number, availableBytes: number): number {
  let log = planned;
  while (log > 24 && 1.25 * 2 ** log + 16 * 2 ** 20 > availableBytes * COMPRESSOR_SHARE) log--;
  return log;
}

/** Input bytes between two choices of zstd's level (a choice that keeps the level keeps its process). */
const SEGMENT = 64 * 1024 * 1024;
/** From this window (256 MiB) on, the level stays at -3: see {@link keepsOneLevel}. */
const ONE_LEVEL_WINDOW_LOG = 28;
/**
 * Whether the stream keeps one level, one compressor: zstd only, with a window of 256 MiB
 * or more. A new level starts a compressor with an empty window, which throws away what the
 * wide window had found, and `-6` costs twice `-3`'s CPU for a few percent: on the
 * benchmark's 700 MB closure tar with a 512 MiB window, `-3` 209.0 MB in 5.6 CPU-s, `-6`
 * 199.7 MB in 11.9 s.
 */
export function keepsOneLevel(compression: "zstd" | "gzip", windowLog: number | undefined): boolean {
  return compression === "gzip" || (windowLog ?? 0) >= ONE_LEVEL_WINDOW_LOG;
}

/**
 * Streams store paths out of this machine's store as one GNU tar stream (the copy
 * engine's source for every target): members are the paths' base names, owned by 0:0,
 * modes and the store's fixed timestamps kept, hard links inside the stream preserved;
 * each path is followed by its completion marker; compressed with zstd or gzip on request.
 *
 * @example
 * ```ts
 * const { stream, done } = exportPaths("/nix/store", ["/nix/store/…-hello"], { compression: "zstd" });
 * ```
 */
export function exportPaths(storeDir: string, paths: readonly string[], options: ExportOptions = {}): PathExport {
  const deltas = options.deltas ?? [];
  const asDelta = new Set(deltas.map((d) => d.path));
  const full = paths.filter((p) => !asDelta.has(p)).map((p) => p.slice(storeDir.length + 1));
  const before = deltas.length > 0 ? { members: deltaMembers(storeDir, deltas), last: full.length === 0 } : undefined;
  return exportTar(storeDir, full, true, options, before);
}

/** Members sent before the tar of the full paths (the deltas); `last`: no full paths follow, so they end the stream. */
interface Prefix {
  readonly members: AsyncIterable<Uint8Array>;
  readonly last: boolean;
}

/**
 * Streams the contents of a folder of this machine as one tar stream, members owned by
 * 0:0 with their modes kept (`--extra-files`).
 *
 * @example
 * ```ts
 * const { stream } = exportFolder("./secrets", {});
 * ```
 */
export function exportFolder(folder: string, options: ExportOptions = {}): PathExport {
  // The folder's entries, not "." itself: its own mode and owner must not land on the
  // target's root directory.
  const entries = readdirSync(folder).sort();
  return exportTar(folder, entries, false, options);
}

function exportTar(directory: string, names: readonly string[], markPaths: boolean, options: ExportOptions, prefix?: Prefix): PathExport {
  // Stopped by the caller's signal, or by cancel() when the receiving end gave up early and
  // nobody reads the stream any more.
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const signal = { cancelSignal: controller.signal };
  const cancel = () => controller.abort();
  const tar = prefix?.last === true ? undefined : execa(
    "tar",
    ["-c", "-f", "-", "--format=gnu", "--numeric-owner", "--owner=0", "--group=0", "-C", directory, "--null", "-T", "-"],
    { input: names.map((n) => `${n}\0`).join(""), buffer: { stdout: false, stderr: true }, encoding: "buffer", reject: false, ...signal },
  );
  let tarBytes = 0;
  const tarOut = tar === undefined ? undefined : held(tar.stdout);
  async function* counted(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      tarBytes += chunk.byteLength;
      yield chunk;
    }
  }
  // The stream's end marker follows only a tar that exited 0: GNU tar skips a file it cannot
  // read, goes on and ends its archive as usual, so without this the receiver would take a
  // stream lacking that file for complete, and a command run after it on the target (the
  // registration folded into the copy's command, runPlan.ts) could not tell. The archive's
  // end (its zero blocks, where markPathBoundaries puts the marker) lies in its last
  // record: that tail is held back until tar's exit is known.
  async function* succeeded(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    // The chunks not passed on yet (from `first` on), `heldBytes` in all: everything but the
    // last TAR_TAIL bytes goes on at once, as the chunks themselves or views of them, never
    // a copy (tar's records are 10 KiB, so small chunks are the rule when Node keeps up).
    let held: Uint8Array[] = [];
    let first = 0;
    let heldBytes = 0;
    for await (const chunk of source) {
      held.push(chunk);
      heldBytes += chunk.byteLength;
      while (heldBytes > TAR_TAIL) {
        const head = held[first]!;
        const spare = heldBytes - TAR_TAIL;
        if (head.byteLength <= spare) {
          first += 1;
          heldBytes -= head.byteLength;
          yield head;
        } else {
          held[first] = head.subarray(spare);
          heldBytes = TAR_TAIL;
          yield head.subarray(0, spare);
        }
      }
      if (first > 0 && first * 2 >= held.length) {
        held = held.slice(first);
        first = 0;
      }
    }
    const r = await tar!;
    if (r.exitCode !== 0) throw new TransportError(`tar could not read the store paths (exit ${r.exitCode ?? "none"})`, { details: Buffer.from(r.stderr).toString("utf8").trim() });
    for (const chunk of held.slice(first)) if (chunk.byteLength > 0) yield chunk;
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    if (prefix !== undefined) yield* counted(prefix.members);
    if (tarOut === undefined) {
      yield tarFile(END_MARKER, new Uint8Array());
      yield tarEnd();
    } else yield* markPaths ? markPathBoundaries(succeeded(counted(tarOut))) : counted(tarOut);
  }
  const marked = all();
  const compression = options.compression ?? "none";
  const tarDone = tar === undefined ? okAsync<undefined, TransportError>(undefined) : ResultAsync.fromSafePromise(tar).andThen((r) =>
    r.exitCode === 0
      ? okAsync(undefined)
      : errAsync(
          new TransportError(`tar could not read ${markPaths ? "the store paths" : directory} (exit ${r.exitCode ?? "none"})`, {
            details: Buffer.from(r.stderr).toString("utf8").trim(),
          }),
        ),
  );
  if (compression === "none") return { stream: marked, done: tarDone, tarBytes: () => tarBytes, cancel };

  const [file] = compressorArgv(compression, FAST_LEVEL);
  // A container's memory limit bounds what is free to it, whatever the machine has free.
  const available = Math.min(freemem(), process.constrainedMemory?.() || Number.POSITIVE_INFINITY);
  const windowLog = options.windowLog === undefined ? undefined : fitWindowLog(options.windowLog, available);
  const segments = compressInSegments(marked, {
    argv: (level) => compressorArgv(compression, level, windowLog),
    firstLevel: FAST_LEVEL,
    // gzip has one level here: one process for the whole stream.
    segmentBytes: keepsOneLevel(compression, windowLog) ? Number.POSITIVE_INFINITY : SEGMENT,
    signal: controller.signal,
  });
  // A compressor that failed is the error to report; tar, which then waits on a pipe
  // nobody reads, is stopped, and its exit (killed) would only hide the cause.
  // (A copy cancelled by its caller killed both: tar's error comes first, as it always did.)
  const done = ResultAsync.fromSafePromise(segments.outcome).andThen(({ failed, feedError }) => {
    if (failed !== undefined) {
      const error = new TransportError(`${file} could not compress the store paths (exit ${failed.exitCode ?? "none"})`, { details: failed.stderr });
      if (controller.signal.aborted) return tarDone.andThen(() => errAsync(error));
      cancel();
      return errAsync(error);
    }
    return tarDone.andThen(() =>
      feedError === undefined ? okAsync(undefined) : errAsync(new TransportError(`the store paths could not be passed to ${file}`, { cause: feedError })),
    );
  });
  return { stream: segments.stream, done, tarBytes: () => tarBytes, cancel, compressionLevels: segments.levels };
}

