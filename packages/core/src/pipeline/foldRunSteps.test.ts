import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript, TARGET_SHELLS } from "../../test/support/targetShells.js";
import { COMMAND_MAX, shellQuote } from "../target/shellQuote.js";
import { foldedAfterCopy, foldedArgv, foldedCommandBytes, foldedLength, foldTag, INLINE_STDIN_MAX } from "./foldRunSteps.js";
import type { CopyClosureStep, RunStep } from "./Step.js";

const work = mkdtempSync(join(tmpdir(), "nextgen-fold-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const copy: CopyClosureStep = { kind: "copy-closure", phase: "copy", description: "copy", paths: [], bytes: 0, compression: "none", receiver: ["receive"] };
const register = (stdin: string): RunStep => ({ kind: "run", phase: "register", description: "register", argv: ["nix-store", "--load-db"], stdin });
const profile: RunStep = { kind: "run", phase: "profile", description: "profile", argv: ["profile"] };

describe("which steps fold", () => {
  it("folds a registration with a small stdin into the copy before it, and what follows it", () => {
    expect(foldedAfterCopy([copy, register("a\n"), profile], 0)).toBe(2);
    expect(foldedAfterCopy([register("a\n"), profile], 0)).toBe(0);
  });

  it("keeps a step whose stdin is large, or not whole lines, out of a fold it does not start", () => {
    expect(foldedAfterCopy([copy, register(`${"x".repeat(INLINE_STDIN_MAX)}\n`), profile], 0)).toBe(0);
    expect(foldedAfterCopy([copy, register("no newline"), profile], 0)).toBe(0);
    // As the first of a group it streams its stdin, whatever the size.
    expect(foldedLength([register(`${"x".repeat(INLINE_STDIN_MAX)}\n`), profile], 0)).toBe(2);
    expect(foldedLength([profile, register("a\nb\n")], 0)).toBe(2);
  });
});

describe("the whole folded command stays within what a target can exec", () => {
  /** Text of whole lines, `n` bytes. */
  const lines = (n: number) => `${"x".repeat(n - 1)}\n`;
  const bytes = (s: string) => new TextEncoder().encode(s).byteLength;

  it("measures the command as runPlan sends it, quoted", () => {
    const commands = [{ argv: copy.receiver }, register("it's\n"), profile];
    expect(foldedCommandBytes(commands)).toBe(bytes(shellQuote(foldedArgv(commands, foldTag()))));
  });

  it("folds a step that brings the command to COMMAND_MAX exactly, and stops before one a byte longer", () => {
    const first = register(lines(40 * 1024));
    // The size that makes the copy, the first and a second registration exactly COMMAND_MAX.
    const fill = COMMAND_MAX - foldedCommandBytes([{ argv: copy.receiver }, first, register(lines(1))]) + 1;
    expect(fill).toBeLessThanOrEqual(INLINE_STDIN_MAX);
    expect(foldedCommandBytes([{ argv: copy.receiver }, first, register(lines(fill))])).toBe(COMMAND_MAX);
    expect(foldedAfterCopy([copy, first, register(lines(fill)), profile], 0)).toBe(2);
    expect(foldedAfterCopy([copy, first, register(lines(fill + 1)), profile], 0)).toBe(1);
    // A group without a copy: its first step's stdin is the command's own, not in the line.
    const lead = COMMAND_MAX - foldedCommandBytes([profile, first, register(lines(1))]) + 1;
    expect(foldedLength([profile, first, register(lines(lead))], 0)).toBe(3);
    expect(foldedLength([profile, first, register(lines(lead + 1)), profile], 0)).toBe(2);
  });

  // Linux refuses an argument over 128 KiB (E2BIG), as sshd's `sh -c COMMAND` on a target would.
  it("leaves out of the fold what would make the exec fail: two registrations of 64 KiB", () => {
    const big: RunStep = { ...register(lines(INLINE_STDIN_MAX)), argv: ["true"] };
    const run = (n: number) => spawnSync("sh", ["-c", shellQuote(foldedArgv([{ argv: ["cat"] }, ...Array<RunStep>(n).fill(big)], foldTag()))], { input: "" });
    expect(run(2).error).toMatchObject({ code: "E2BIG" });
    const folded = foldedAfterCopy([{ ...copy, receiver: ["cat"] }, big, big], 0);
    expect(folded).toBe(1);
    expect(run(folded).status).toBe(0);
  });
});

// The folded script as the shells of targets run it: stdin goes to the first command, each
// later one gets its own text, and nothing runs after a command that failed.
for (const shell of TARGET_SHELLS) {
  describe.runIf(shell.available)(`foldedArgv under ${shell.name}`, () => {
    const tag = "nixos-via-step-test1234";
    const at = (name: string) => join(work, `${shell.id}-${name}`);
    const argvOf = (commands: Parameters<typeof foldedArgv>[0]) => {
      const [, , script, name, ...args] = foldedArgv(commands, tag);
      return { script: script!, name: name!, args };
    };

    it("gives the first command the stream and a later one its own stdin, exactly", () => {
      const text = "/nix/store/aaaa-x\nsha256:00\n'quoted' $HOME `x`\n\n0\n";
      const { script, name, args } = argvOf([
        { argv: ["sh", "-c", 'cat > "$1"', "receive", at("stream")] },
        { argv: ["sh", "-c", 'cat > "$1"', "register", at("registration")], stdin: text },
        { argv: ["sh", "-c", 'cat > "$1"', "profile", at("none")] },
      ]);
      const r = runScript(shell, script, name, args, { input: "the stream\n", env: { PATH: process.env["PATH"]! } });
      expect(r.status).toBe(0);
      expect(readFileSync(at("stream"), "utf8")).toBe("the stream\n");
      expect(readFileSync(at("registration"), "utf8")).toBe(text);
      expect(readFileSync(at("none"), "utf8")).toBe("");
      expect(r.stderr).toBe(`${tag} 0\n${tag} 1\n${tag} 2\n`);
    });

    it("stops at a receiver that failed: the registration after it never runs", () => {
      const { script, name, args } = argvOf([
        { argv: ["sh", "-c", "cat > /dev/null; exit 3"] },
        { argv: ["sh", "-c", 'cat > "$1"', "register", at("never")], stdin: "a\n" },
      ]);
      const r = runScript(shell, script, name, args, { input: "cut stream", env: { PATH: process.env["PATH"]! } });
      expect(r.status).toBe(3);
      expect(existsSync(at("never"))).toBe(false);
      expect(r.stderr).toBe("");
    });
  });
}
