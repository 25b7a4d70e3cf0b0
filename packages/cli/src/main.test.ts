import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ExitCode } from "./exitCodes.js";
import { main } from "./main.js";

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

const run = async (argv: string[]) => {
  const c = capture();
  const code = await main(argv, c.io, new AbortController().signal);
  return { code, stdout: c.out(), stderr: c.err() };
};

describe("main", () => {
  it.each([
    ["install", "dir:/nonexistent", "--system", "/nonexistent", "--wait-timeout", "abc"],
    ["install", "dir:/nonexistent", "--system", "/nonexistent", "--wait-timeout", "0"],
    ["install", "image:/nonexistent.img", "--system", "/nonexistent", "--image-size", "lots"],
    ["deploy", "dir:/nonexistent", "--system", "/nonexistent", "--confirm-timeout", "soon"],
    ["rollback", "dir:/nonexistent", "--confirm-timeout", "-1"],
    ["gc", "dir:/nonexistent", "--keep", "two"],
    ["gc", "dir:/nonexistent", "--older-than", "a month"],
  ])("refuses a bad number as a usage error before anything runs: %s … %s", async (...argv) => {
    const r = await run(argv);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^nixos-via: error: option '${argv.at(-2)} <[a-z]+>' argument '${argv.at(-1)}' is invalid\\. give `));
    expect(r.stdout).toBe("");
  });
});
