import { PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
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
    ["fleet", "deploy", "--network", "/nonexistent.nix", "--parallel", "0"],
    ["fleet", "plan", "--network", "/nonexistent.nix", "--canary", "some"],
    ["fleet", "deploy", "--network", "/nonexistent.nix", "--halt-after", "x"],
  ].map((argv) => ({ argv, shown: `${argv[0]!} ${argv.slice(-2).join(" ")}` })))("refuses a bad number as a usage error before anything runs: $shown", async ({ argv }) => {
    const r = await run(argv);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^nixos-via: error: option '${argv.at(-2)} <[a-z]+>' argument '${argv.at(-1)}' is invalid\\. give `));
    expect(r.stdout).toBe("");
  });

  it("gives an option error as one line, and with --json also as one error event on stdout", async () => {
    const plain = await run(["install", "dir:/nonexistent", "--no-such-option"]);
    expect(plain.code).toBe(ExitCode.Usage);
    expect(plain.stderr).toBe("nixos-via: error: unknown option '--no-such-option' (run with --help for usage)\n");
    expect(plain.stdout).toBe("");
    const json = await run(["install", "dir:/nonexistent", "--json", "--no-such-option"]);
    expect(json.code).toBe(ExitCode.Usage);
    expect(json.stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown)).toEqual([
      { type: "error", error: { name: "UsageError", code: "USAGE", message: "unknown option '--no-such-option'" } },
    ]);
  });

  it("fleet: an option error under --json is an error event with host null; set-args with nothing to set is a usage error", async () => {
    const json = await run(["fleet", "deploy", "--json", "--no-such-option"]);
    expect(json.code).toBe(ExitCode.Usage);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: "error", host: null, error: { code: "USAGE" } });
    const nothing = await run(["fleet", "set-args", "--network", "/nonexistent.nix"]);
    expect(nothing.code).toBe(ExitCode.Usage);
    expect(nothing.stderr).toBe("nixos-via: error: give --arg NAME EXPR, --argstr NAME STRING or --unset NAME\n");
    const bare = await run(["fleet"]);
    expect(bare.code).toBe(ExitCode.Usage);
    expect(bare.stderr).toMatch(/^Usage: nixos-via fleet/);
    const help = await run(["fleet", "deploy", "--help"]);
    expect(help.code).toBe(ExitCode.Ok);
    expect(help.stdout).toMatch(/--max-unavailable <n\|p%>/);
  });
});

describe("main, when something throws that nobody expected", () => {
  const brokenStdout = () => {
    const c = capture();
    const stdout = new PassThrough();
    stdout.write = () => {
      throw new Error("stdout went away\n    at somewhere (file.js:1:1)");
    };
    return { ...c, io: { ...c.io, stdout } };
  };

  it("prints one line and exits 1", async () => {
    const c = brokenStdout();
    const code = await main(["--version"], c.io, new AbortController().signal);
    expect(code).toBe(ExitCode.Failed);
    expect(c.err()).toBe("nixos-via: error: stdout went away (unexpected: run with --debug or NIXOS_VIA_DEBUG=1 for the stack)\n");
  });

  it.each([
    [["--debug", "--version"], {}],
    [["--version"], { NIXOS_VIA_DEBUG: "1" }],
  ])("adds the stack with %j %j", async (argv, env) => {
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    try {
      const c = brokenStdout();
      expect(await main(argv, c.io, new AbortController().signal)).toBe(ExitCode.Failed);
      const lines = c.err().split("\n");
      expect(lines[0]).toMatch(/^nixos-via: error: stdout went away/);
      expect(lines[1]).toBe("Error: stdout went away");
      expect(c.err()).toMatch(/main\.test\.ts/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
  it("with validateOnly, parses a command line and stops before the command runs", async () => {
    const check = async (argv: string[]) => {
      const c = capture();
      const code = await main(argv, c.io, new AbortController().signal, { validateOnly: true });
      return { code, stdout: c.out(), stderr: c.err() };
    };
    // A target that does not exist: running it would fail, parsing it does not.
    const valid = await check(["install", "dir:/nonexistent/root", "--system", "/nonexistent", "--no-ssh-config", "--json"]);
    expect(valid).toEqual({ code: ExitCode.Ok, stdout: "", stderr: "" });
    const invalid = await check(["gc", "dir:/nonexistent", "--keep", "two"]);
    expect(invalid.code).toBe(ExitCode.Usage);
    expect(invalid.stderr).toMatch(/^nixos-via: error: option '--keep <n>' argument 'two' is invalid/);
    expect((await check(["deploy", "dir:/x", "--system", "/a", "--flake", ".#b"])).code).toBe(ExitCode.Usage);
  });
});
