import { COMMAND_MAX, shellQuote } from "@nixos-via/core";
import { describe, expect, it } from "vitest";
import { commandLine } from "./commandLine.js";

describe("commandLine", () => {
  it("carries small text stdin inside the command, quoted", () => {
    expect(commandLine(["cat"], "it's\n")).toEqual({ command: `printf '%s' 'it'\\''s\n' | cat`, inlined: true });
    expect(commandLine(["cat"], undefined)).toEqual({ command: "cat", inlined: false });
    expect(commandLine(["cat"], new Uint8Array([1]))).toEqual({ command: "cat", inlined: false });
  });

  it("streams a stdin that would make the whole line longer than COMMAND_MAX, at the byte", () => {
    const argv = ["sh", "-c", "cat", "x".repeat(40 * 1024)];
    const around = Buffer.byteLength(commandLine(argv, "a").command) - 1;
    const fits = "b".repeat(COMMAND_MAX - around);
    expect(commandLine(argv, fits)).toMatchObject({ inlined: true });
    expect(Buffer.byteLength(commandLine(argv, fits).command)).toBe(COMMAND_MAX);
    expect(commandLine(argv, `${fits}b`)).toEqual({ command: shellQuote(argv), inlined: false });
  });
});
