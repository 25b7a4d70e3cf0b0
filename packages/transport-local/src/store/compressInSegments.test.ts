import { execFileSync } from "node:child_process";
import { setImmediate as tick } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compressInSegments, DENSE_LEVEL, FAST_LEVEL, nextLevel } from "./compressInSegments.js";

describe("nextLevel", () => {
  it("goes dense when the output waited for the link most of the time and a core was idle", () => {
    expect(nextLevel(FAST_LEVEL, { waitedMs: 700, elapsedMs: 1000, idleCores: 1.1 })).toBe(DENSE_LEVEL);
  });

  it("stays fast when the CPU is the limit: a fast link, or no core to spare (a loopback copy)", () => {
    expect(nextLevel(FAST_LEVEL, { waitedMs: 100, elapsedMs: 1000, idleCores: 1.5 })).toBe(FAST_LEVEL);
    expect(nextLevel(FAST_LEVEL, { waitedMs: 900, elapsedMs: 1000, idleCores: 0.3 })).toBe(FAST_LEVEL);
  });

  it("goes back to fast only when the dense output stops waiting, not when the CPU gets busy while the link still limits", () => {
    expect(nextLevel(DENSE_LEVEL, { waitedMs: 100, elapsedMs: 1000, idleCores: 1 })).toBe(FAST_LEVEL);
    expect(nextLevel(DENSE_LEVEL, { waitedMs: 800, elapsedMs: 1000, idleCores: 0.1 })).toBe(DENSE_LEVEL);
    expect(nextLevel(DENSE_LEVEL, { waitedMs: 400, elapsedMs: 1000, idleCores: 0.5 })).toBe(DENSE_LEVEL);
  });

  it("keeps the level when no time passed", () => {
    expect(nextLevel(FAST_LEVEL, { waitedMs: 0, elapsedMs: 0, idleCores: 0 })).toBe(FAST_LEVEL);
  });
});

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

/** Half random, half repeating: both kinds of data zstd meets. */
function input(bytes: number): Buffer {
  const random = randomBytes(bytes / 2);
  return Buffer.concat([random, Buffer.alloc(bytes / 2, "nix store ")]);
}

async function* chunks(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

describe("compressInSegments", () => {
  it("puts out one stream that zstd -d reads back whole, across segments of changing levels", async () => {
    const data = input(4 * 1024 * 1024);
    // Chosen at each 1 MiB: dense, dense (kept: the same process), fast.
    const levels = [DENSE_LEVEL, DENSE_LEVEL, FAST_LEVEL];
    let next = 0;
    const { stream, outcome } = compressInSegments(chunks(data, 100_000), {
      argv: (level) => ["zstd", "-q", "-c", `-${level}`, "-T0"],
      firstLevel: FAST_LEVEL,
      segmentBytes: 1024 * 1024,
      choose: () => levels[next++ % levels.length]!,
    });
    const compressed = await collect(stream);
    const result = await outcome;
    expect(result.failed).toBeUndefined();
    expect(result.feedError).toBeUndefined();
    // 4 MiB in 100 kB chunks: the level is chosen again after every 11 chunks (1.1 MB), three times.
    expect(result.levels).toEqual([FAST_LEVEL, DENSE_LEVEL, FAST_LEVEL]);
    expect(execFileSync("zstd", ["-d", "-c"], { input: compressed, maxBuffer: 16 * 1024 * 1024 }).equals(data)).toBe(true);
  });

  it("counts idle cores within the cgroup's CPU quota, not the machine's", async () => {
    const seen: number[] = [];
    const run = async (cpuQuota: { cores: number; usageMs: () => number } | undefined) => {
      const { stream, outcome } = compressInSegments(chunks(input(2 * 1024 * 1024), 100_000), {
        argv: (level) => ["zstd", "-q", "-c", `-${level}`],
        firstLevel: FAST_LEVEL,
        segmentBytes: 512 * 1024,
        choose: (level, sample) => (seen.push(sample.idleCores), level),
        cpuQuota,
      });
      await collect(stream);
      expect((await outcome).failed).toBeUndefined();
    };
    // A quota of one core that the cgroup's other processes use up: nothing is idle. (The
    // usage runs at ten times the clock: it is read a moment after each sample's time, and a
    // usage that only kept pace with the clock left a few microseconds idle now and then.)
    const start = performance.now();
    await run({ cores: 1, usageMs: () => 10 * (performance.now() - start) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((idle) => idle === 0)).toBe(true);
    // A quota of a quarter core, unused: never more idle than the quota leaves.
    seen.length = 0;
    await run({ cores: 0.25, usageMs: () => 0 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((idle) => idle >= 0 && idle <= 0.25)).toBe(true);
  });

  it("reports a compressor that failed, with its exit code and what it said", async () => {
    const { stream, outcome } = compressInSegments(chunks(input(64 * 1024), 4096), {
      argv: () => ["sh", "-c", "cat > /dev/null; echo 'no space left' >&2; exit 3"],
      firstLevel: FAST_LEVEL,
      segmentBytes: Number.POSITIVE_INFINITY,
    });
    await collect(stream);
    expect((await outcome).failed).toEqual({ exitCode: 3, stderr: "no space left" });
  });

  // Found in review: a compressor that died while no write waited for it left the input
  // side waiting for a drain that never came, and the copy hung.
  it("ends the stream and reports a compressor that dies mid-stream, however the input arrives", async () => {
    async function* spaced(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 64; i++) {
        await tick();
        yield Buffer.alloc(64 * 1024, i);
      }
    }
    const { stream, outcome } = compressInSegments(spaced(), {
      argv: () => ["sh", "-c", "head -c 300000 > /dev/null; exit 1"],
      firstLevel: FAST_LEVEL,
      segmentBytes: Number.POSITIVE_INFINITY,
    });
    await collect(stream);
    expect((await outcome).failed?.exitCode).toBe(1);
  });

  it("sends nothing after a segment whose compressor failed", async () => {
    let segment = 0;
    const { stream, outcome } = compressInSegments(chunks(input(2 * 1024 * 1024), 64 * 1024), {
      // The first segment's compressor writes part of its output, then fails; the second works.
      argv: () => (segment++ === 0 ? ["sh", "-c", "cat > /dev/null; printf broken; exit 137"] : ["sh", "-c", "cat > /dev/null; printf whole"]),
      firstLevel: FAST_LEVEL,
      segmentBytes: 1024 * 1024,
      choose: (level) => (level === FAST_LEVEL ? DENSE_LEVEL : FAST_LEVEL),
    });
    const sent = (await collect(stream)).toString();
    const result = await outcome;
    expect(result.failed?.exitCode).toBe(137);
    expect(sent).not.toContain("whole");
  });

  it("reports an input that threw, and still ends the stream", async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("part of a tar");
      throw new Error("tar could not read the store paths");
    }
    const { stream, outcome } = compressInSegments(failing(), { argv: () => ["zstd", "-q", "-c"], firstLevel: FAST_LEVEL, segmentBytes: 1024 });
    await collect(stream);
    expect(String((await outcome).feedError)).toContain("tar could not read the store paths");
  });
});
