import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { PassThrough, type Readable } from "node:stream";
import { execa } from "execa";
import { findCpuQuota, type CpuQuota } from "./cpuQuota.js";

/**
 * Stream buffers between tar, the marker pass, the compressor and the transport. Node's
 * 16 KiB default stalls the pipeline: the benchmark measured a 40 ms / 100 Mbit/s install
 * at 29.2 s with it and 25.3 s with 4 MiB (the bare tar | zstd | ssh pipe: 22.7 s).
 */
export const BUFFER = 4 * 1024 * 1024;

/** How the last stretch of a compressed stream went: what the next compression level is chosen from. */
export interface StretchSample {
  /** Time the compressed output waited for its reader (the link) to take more. */
  readonly waitedMs: number;
  readonly elapsedMs: number;
  /** The idle CPU this process could have used over the stretch, in cores: the machine's, within its cgroup's quota. */
  readonly idleCores: number;
}

/** zstd levels a stream switches between: fast while the CPU is the limit, dense while the link is. */
export const FAST_LEVEL = 3;
export const DENSE_LEVEL = 6;

/**
 * The zstd level for the next segment of a stream. Pure. A segment goes denser when the
 * output spent most of the last stretch waiting for the link and a core was idle: more
 * CPU then buys fewer bytes on a link that is the limit (on the benchmark's 700 MB closure,
 * `-6 --long=24` makes 229.5 MB against 240.2 MB for `-3`, at 2.5× the CPU). It goes back
 * to fast only when the output no longer waits (the compressor became the limit): a busy
 * CPU does not slow a copy the link still limits, and every change starts a compressor
 * whose window is empty (the benchmark's fresh copy with a 128 MiB window: 207.8 MiB when
 * it went dense once, 210.9–218.4 MiB when idle cores came and went and it switched back
 * and forth). A fast link, or a machine with no CPU to spare (a loopback copy, where both
 * ends share the machine), never goes dense, so stays at the level it had before levels changed.
 *
 * @example
 * ```ts
 * nextLevel(3, { waitedMs: 900, elapsedMs: 1000, idleCores: 1.2 }); // 6
 * ```
 */
export function nextLevel(level: number, s: StretchSample): number {
  if (s.elapsedMs <= 0) return level;
  const waited = s.waitedMs / s.elapsedMs;
  if (level < DENSE_LEVEL) return waited >= 0.6 && s.idleCores >= 0.75 ? DENSE_LEVEL : level;
  return waited < 0.25 ? FAST_LEVEL : level;
}

/** What {@link compressInSegments} did, known once its stream has ended. */
export interface SegmentsOutcome {
  /** The level of each compressor process, in order. */
  readonly levels: readonly number[];
  /** The first compressor that failed: its exit code and stderr. */
  readonly failed?: { readonly exitCode: number | undefined; readonly stderr: string };
  /** Why the stream stopped early without a compressor failing: the input threw, or its reader went away. */
  readonly feedError?: unknown;
}

export interface SegmentOptions {
  /** The compressor's command line for a level. */
  readonly argv: (level: number) => readonly [string, ...string[]];
  readonly firstLevel: number;
  /** Input bytes between two choices of the level; `Infinity`: one level, one process. */
  readonly segmentBytes: number;
  readonly choose?: (level: number, sample: StretchSample) => number;
  readonly signal?: AbortSignal;
  /** The CPU limit idle time is counted within. @default this process's cgroup's ({@link findCpuQuota}) */
  readonly cpuQuota?: CpuQuota | undefined;
}

/**
 * Compresses a byte stream in segments, each by its own compressor process, whose outputs
 * follow each other in one stream: zstd (and gzip) decoders read concatenated frames as
 * one stream, so the receiver's `zstd -d` sees no difference. After every `segmentBytes`
 * of input the level is chosen again from how the output flowed ({@link nextLevel}); only a
 * new level starts a new process, whose window starts empty (cut into 64 MiB pieces, the
 * benchmark's closure compresses 0.6 % larger). The next process starts while the one
 * before finishes its last job.
 *
 * @example
 * ```ts
 * const { stream, outcome } = compressInSegments(tarStream, { argv: (l) => ["zstd", "-c", `-${l}`], firstLevel: 3, segmentBytes: 64 << 20 });
 * ```
 */
export function compressInSegments(
  input: AsyncIterable<Uint8Array>,
  options: SegmentOptions,
): { stream: PassThrough; outcome: Promise<SegmentsOutcome>; levels: () => readonly number[] } {
  const out = new PassThrough({ highWaterMark: BUFFER });
  const choose = options.choose ?? nextLevel;
  // Stops every compressor and every wait: the caller's signal, or a compressor that failed
  // (what follows a broken frame must not be sent).
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(options.signal?.reason), { once: true });
  const started: { exited: Promise<{ exitCode: number | undefined; stderr: string }>; stdout: PassThrough }[] = [];
  const levels: number[] = [];
  let fed = false;
  let waitedMs = 0;
  let failed: { exitCode: number | undefined; stderr: string } | undefined;
  // Wakes the output loop when a compressor starts or the input ends.
  let wake: () => void = () => undefined;
  const changed = () => new Promise<void>((resolve) => (wake = resolve));

  const start = (level: number) => {
    const [file, ...args] = options.argv(level);
    const result = execa(file, args, { stdin: "pipe", buffer: { stdout: false, stderr: true }, encoding: "buffer", reject: false, cancelSignal: stop.signal });
    const exited = result.then((r) => ({ exitCode: r.exitCode, stderr: Buffer.from(r.stderr).toString("utf8").trim() }));
    // A compressor that dies (killed, out of memory) stops the whole stream at once, not
    // only when its output is reached: its input side would otherwise wait for ever.
    void exited.then((r) => {
      if (r.exitCode === 0 || stop.signal.aborted) return;
      failed ??= r;
      stop.abort(new Error(`${file} exited with ${r.exitCode ?? "a signal"}`));
    });
    started.push({ exited, stdout: held(result.stdout) });
    levels.push(level);
    wake();
    return result;
  };

  const feed = async (): Promise<unknown> => {
    let level = options.firstLevel;
    let current = start(level);
    let inSegment = 0;
    const quota = "cpuQuota" in options ? options.cpuQuota : findCpuQuota();
    const sample = () => sampleNow(() => waitedMs, quota);
    let mark = sample();
    try {
      for await (const chunk of input) {
        if (inSegment >= options.segmentBytes) {
          const now = sample();
          const next = choose(level, between(mark, now));
          mark = now;
          inSegment = 0;
          // A level kept keeps its process: a new one would start without the window's history.
          if (next !== level) {
            if (!current.stdin.destroyed) current.stdin.end();
            level = next;
            current = start(level);
          }
        }
        inSegment += chunk.byteLength;
        await writeOrWait(current.stdin, chunk, stop.signal);
      }
      return undefined;
    } catch (cause) {
      return cause;
    } finally {
      if (!current.stdin.destroyed) current.stdin.end();
      fed = true;
      wake();
    }
  };

  const drain = async (): Promise<void> => {
    for (let i = 0; ; i++) {
      while (i >= started.length) {
        if (fed) return;
        await changed();
      }
      const segment = started[i]!;
      for await (const chunk of segment.stdout) {
        const t = performance.now();
        const waited = await writeOrWait(out, chunk, stop.signal);
        if (waited) waitedMs += performance.now() - t;
      }
      // Nothing follows a segment whose compressor failed: its frame may be cut short.
      if ((await segment.exited).exitCode !== 0) return;
    }
  };

  const outcome = (async (): Promise<SegmentsOutcome> => {
    const [feedError, drainError] = await Promise.all([feed(), drain().then(() => undefined, (cause: unknown) => cause)]);
    // The stream ends either way; one cut short lacks the tar's end marker, which the
    // receiver requires (`.end`, markPathBoundaries), and `outcome` says what went wrong.
    out.end();
    const exits = await Promise.all(started.map((s) => s.exited));
    failed ??= exits.find((r) => r.exitCode !== 0);
    // A compressor's failure is the cause; the errors of waits it stopped are its effects.
    if (failed !== undefined) return { levels, failed };
    const error = feedError ?? drainError;
    return error === undefined ? { levels } : { levels, feedError: error };
  })();
  return { stream: out, outcome, levels: () => [...levels] };
}

/**
 * Writes a chunk, and when the stream asks to wait, waits for it to drain: true when it
 * waited. Fails when the stream is closed or destroyed (a compressor that died, a reader
 * that went away), where waiting for `drain` would never end.
 */
async function writeOrWait(stream: NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean }, chunk: Uint8Array, signal: AbortSignal): Promise<boolean> {
  signal.throwIfAborted();
  if (stream.destroyed === true || stream.writableEnded === true) throw new Error("the stream stopped taking data");
  if (stream.write(chunk)) return false;
  await new Promise<void>((resolve, reject) => {
    const finish = (error?: unknown) => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      stream.off("error", finish);
      signal.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onDrain = () => finish();
    const onClose = () => finish(new Error("the stream stopped taking data"));
    const onAbort = () => finish(signal.reason);
    stream.on("drain", onDrain);
    stream.on("close", onClose);
    stream.on("error", finish);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  return true;
}

interface Mark {
  readonly at: number;
  readonly idleMs: number;
  readonly waitedMs: number;
  /** The cgroup's use so far, and its quota in cores, where one is set. */
  readonly quota?: { readonly cores: number; readonly usageMs: number } | undefined;
}

function sampleNow(waited: () => number, quota: CpuQuota | undefined): Mark {
  return {
    at: performance.now(),
    idleMs: cpus().reduce((sum, c) => sum + c.times.idle, 0),
    waitedMs: waited(),
    quota: quota && { cores: quota.cores, usageMs: quota.usageMs() },
  };
}

/** Idle cores over a stretch: the machine's, but no more than its quota leaves the cgroup. */
function between(a: Mark, b: Mark): StretchSample {
  const elapsedMs = b.at - a.at;
  if (elapsedMs <= 0) return { waitedMs: b.waitedMs - a.waitedMs, elapsedMs, idleCores: 0 };
  const machine = (b.idleMs - a.idleMs) / elapsedMs;
  const leftInQuota = a.quota && b.quota ? Math.max(0, a.quota.cores - (b.quota.usageMs - a.quota.usageMs) / elapsedMs) : Number.POSITIVE_INFINITY;
  return { waitedMs: b.waitedMs - a.waitedMs, elapsedMs, idleCores: Math.min(machine, leftInQuota) };
}

/**
 * Holds a subprocess's output until someone reads it. execa drains an unbuffered stdout
 * when the subprocess exits, so a reader that starts late (the SSH channel opens a round
 * trip after the export started; a segment's output waits for the segments before it)
 * would find a short stream ended: seen with small closures, which compress and exit
 * before the channel is open.
 */
export function held(stream: Readable): PassThrough {
  const hold = new PassThrough({ highWaterMark: BUFFER });
  stream.pipe(hold);
  stream.on("error", (error) => hold.destroy(error));
  return hold;
}
