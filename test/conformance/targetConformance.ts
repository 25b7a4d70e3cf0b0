import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Target } from "@nixos-via/core";

const MiB = 1024 * 1024;

/** What a conformance run needs: a fresh target, and how to release it. */
export interface ConformanceSubject {
  readonly target: Target;
  readonly release: () => Promise<void>;
}

/** Deterministic, poorly compressible bytes, so a 64 MiB stream is really 64 MiB. */
async function* pseudoRandom(total: number): AsyncGenerator<Uint8Array> {
  let state = 0x9e3779b9;
  const chunk = 256 * 1024;
  for (let sent = 0; sent < total; sent += chunk) {
    const buf = new Uint8Array(Math.min(chunk, total - sent));
    for (let i = 0; i < buf.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      buf[i] = state & 0xff;
    }
    yield buf;
  }
}

/**
 * The behaviour every target shares (unstorage's driver suite is the model): run it for
 * each transport with a factory; a target that passes can carry every pipeline.
 */
export function describeTargetConformance(name: string, expected: { remote: boolean }, open: () => Promise<ConformanceSubject>): void {
  describe(`target conformance: ${name}`, () => {
    const withTarget = async (fn: (t: Target) => Promise<void>) => {
      const subject = await open();
      try {
        await fn(subject.target);
      } finally {
        await subject.release();
      }
    };

    it("passes argv through unchanged, whatever the characters", () =>
      withTarget(async (t) => {
        const words = ["plain", "two words", "it's", '"double"', "$HOME", "back\\slash", "", "ünïcode", "*", "a\nb"];
        const r = (await t.exec(["sh", "-c", 'for w in "$@"; do printf "[%s]" "$w"; done', "sh", ...words]))._unsafeUnwrap();
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe(words.map((w) => `[${w}]`).join(""));
      }));

    it("separates stdout and stderr, reports exit codes, passes env", () =>
      withTarget(async (t) => {
        const r = (await t.exec(["sh", "-c", 'echo out; echo "$GREETING" >&2; exit 3'], { env: { GREETING: "hello there" } }))._unsafeUnwrap();
        expect(r).toEqual({ exitCode: 3, stdout: "out\n", stderr: "hello there\n" });
      }));

    it("gives exit code 127 for a command that does not exist", () =>
      withTarget(async (t) => {
        const r = (await t.exec(["nixos-via-no-such-command"]))._unsafeUnwrap();
        expect(r.exitCode).toBe(127);
      }));

    it("feeds stdin as text and closes it", () =>
      withTarget(async (t) => {
        const r = (await t.exec(["cat"], { stdin: "line one\nline two\n" }))._unsafeUnwrap();
        expect(r.stdout).toBe("line one\nline two\n");
        const empty = (await t.exec(["cat"]))._unsafeUnwrap();
        expect(empty).toEqual({ exitCode: 0, stdout: "", stderr: "" });
      }));

    it("streams 64 MiB to the target intact", () =>
      withTarget(async (t) => {
        const hash = createHash("sha256");
        for await (const c of pseudoRandom(64 * MiB)) hash.update(c);
        const r = (await t.exec(["sh", "-c", "sha256sum | cut -d' ' -f1"], { stdin: pseudoRandom(64 * MiB) }))._unsafeUnwrap();
        expect(r.exitCode).toBe(0);
        expect(r.stdout.trim()).toBe(hash.digest("hex"));
      }), 120_000);

    it("streams 64 MiB from the target, as it arrives", () =>
      withTarget(async (t) => {
        let streamed = 0;
        let chunks = 0;
        const r = (
          await t.exec(["sh", "-c", "head -c 67108864 /dev/zero | tr '\\0' 'x'"], {
            onStdout: (c) => {
              streamed += c.byteLength;
              chunks++;
            },
          })
        )._unsafeUnwrap();
        expect(r.exitCode).toBe(0);
        expect(streamed).toBe(64 * MiB);
        expect(chunks).toBeGreaterThan(1);
        expect(r.stdout.length).toBe(64 * MiB);
        expect(/^x+$/.test(r.stdout)).toBe(true);
      }), 120_000);

    it("stops a running command when its signal aborts", () =>
      withTarget(async (t) => {
        const controller = new AbortController();
        const started = Date.now();
        setTimeout(() => controller.abort(), 500);
        const r = await t.exec(["sleep", "30"], { signal: controller.signal });
        expect(Date.now() - started).toBeLessThan(10_000);
        if (r.isOk()) expect(r.value.exitCode).not.toBe(0);
        else expect(r.error.code).toBe("TRANSPORT");
      }), 20_000);

    it("declares its capabilities and a root that exists", () =>
      withTarget(async (t) => {
        expect(typeof t.capabilities.root).toBe("boolean");
        expect(t.capabilities.remote).toBe(expected.remote);
        expect(t.uri).toMatch(/^(dir:|image:|disk:|ssh:\/\/)/);
        const r = (await t.exec(["test", "-d", t.root]))._unsafeUnwrap();
        expect(r.exitCode).toBe(0);
      }));
  });
}
