import { createHash } from "node:crypto";
import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it, type TestContext } from "vitest";
import { reconnectUntil, TransportError, type Target } from "@nixos-via/core";
import { pseudoRandom } from "./pseudoRandom.js";
import type { ConformanceSubject, TargetConformanceOptions } from "./TargetConformanceOptions.js";

const MiB = 1024 * 1024;

/** An ed25519 host key blob no machine has (32 bytes of 0x01): the wrong key to expect. */
const WRONG_HOST_KEY = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 1)]).toString("base64");

/**
 * The behaviour every target shares (unstorage's `testDriver` is the model): call it in a
 * vitest test file with a factory of fresh targets; a target that passes can carry every
 * pipeline. Targets with `reconnect` also get the reconnect cases, and the host-key cases
 * when the subject can rotate its host key; the reboot case runs only with a
 * {@link RebootHook}.
 *
 * @example
 * ```ts
 * // my-transport.conformance.test.ts
 * import { describeTargetConformance } from "@nixos-via/testing";
 * describeTargetConformance({
 *   name: "lxc:",
 *   capabilities: { remote: false },
 *   open: async () => {
 *     const target = (await createLxcTarget("web"))._unsafeUnwrap();
 *     return { target, release: async () => void (await target.close()) };
 *   },
 * });
 * ```
 */
export function describeTargetConformance(options: TargetConformanceOptions): void {
  describe(`target conformance: ${options.name}`, () => {
    const withSubject = async (fn: (subject: ConformanceSubject) => Promise<void>) => {
      const subject = await options.open();
      try {
        await fn(subject);
      } finally {
        await subject.release();
      }
    };
    const withTarget = (fn: (t: Target) => Promise<void>) => withSubject((s) => fn(s.target));
    const echo = async (t: Target, word: string) => expect((await t.exec(["echo", word]))._unsafeUnwrap()).toEqual({ exitCode: 0, stdout: `${word}\n`, stderr: "" });

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
        for (const flag of ["root", "remote", "hostNix", "running"] as const) expect(typeof t.capabilities[flag]).toBe("boolean");
        expect(t.capabilities).toMatchObject(options.capabilities ?? {});
        expect(t.uri).toMatch(/^[a-z][a-z0-9+.-]*:/);
        const r = (await t.exec(["test", "-d", t.root]))._unsafeUnwrap();
        expect(r.exitCode).toBe(0);
      }));

    // Planners read these flags instead of guessing, so they must not contradict each other.
    it("declares capabilities that agree with each other and with reconnect", () =>
      withTarget(async (t) => {
        const { remote, hostNix, running } = t.capabilities;
        if (running) expect(t.root).toBe("/");
        if (hostNix) expect(remote).toBe(false);
        expect(typeof t.reconnect === "function").toBe(remote);
      }));

    it("reconnects after close, and runs commands on the new connection", (ctx) =>
      withTarget(async (t) => {
        const reconnect = reconnectOf(t, ctx);
        await echo(t, "before");
        (await t.close())._unsafeUnwrap();
        (await reconnect())._unsafeUnwrap();
        await echo(t, "after");
        // A reconnect over a live connection replaces it, as after a silent drop.
        (await reconnect())._unsafeUnwrap();
        await echo(t, "again");
      }), 60_000);

    it("refuses to reconnect to a changed host key other than the one expected, and trusts the expected one", (ctx) =>
      withSubject(async (subject) => {
        const t = subject.target;
        const reconnect = reconnectOf(t, ctx);
        if (subject.rotateHostKey === undefined) return ctx.skip();
        const fresh = await subject.rotateHostKey();
        const wrong = await reconnect({ expectHostKey: WRONG_HOST_KEY, timeoutMs: 15_000 });
        expect(wrong.isErr() && wrong.error.code).toBe("SSH_HOST_KEY_MISMATCH");
        const unexpected = await reconnect({ timeoutMs: 15_000 });
        expect(unexpected.isErr() && unexpected.error.code).toBe("SSH_HOST_KEY_MISMATCH");
        (await reconnect({ expectHostKey: fresh, timeoutMs: 15_000 }))._unsafeUnwrap();
        await echo(t, "new identity");
        // The expected key was recorded: it is known from now on.
        (await reconnect({ timeoutMs: 15_000 }))._unsafeUnwrap();
        await echo(t, "still trusted");
      }), 60_000);

    const reboot = options.reboot;
    const rebootTimeout = reboot?.timeoutMs ?? 600_000;
    it.skipIf(reboot === undefined)("comes back on a new boot after a reboot", (ctx) =>
      withTarget(async (t) => {
        reconnectOf(t, ctx);
        const bootId = () => t.exec(["cat", "/proc/sys/kernel/random/boot_id"]).map((r) => r.stdout.trim());
        const before = (await bootId())._unsafeUnwrap();
        expect(before).not.toBe("");
        await reboot!.trigger(t);
        const back = await reconnectUntil(t, {
          deadline: Date.now() + rebootTimeout,
          intervalMs: 2000,
          ready: () => bootId().andThen((now) => (now !== "" && now !== before ? okAsync(undefined) : errAsync(new TransportError("still on the boot before the reboot")))),
        });
        back._unsafeUnwrap();
        await echo(t, "rebooted");
      }), rebootTimeout + 60_000);
  });
}

/** The target's `reconnect`; a target without one skips the case (its flags are checked elsewhere). */
function reconnectOf(t: Target, ctx: TestContext): NonNullable<Target["reconnect"]> {
  const reconnect = t.reconnect;
  if (reconnect === undefined) return ctx.skip() as never;
  return reconnect.bind(t);
}
