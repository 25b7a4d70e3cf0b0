import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { markPathBoundaries, STAGED_PATH_CHECK } from "./markPathBoundaries.js";
import { TARGET_SHELLS } from "../../test/support/targetShells.js";
import { RECEIVE_CLOSURE_SCRIPT, receiveClosureScript } from "./receiveClosureScript.js";

const work = mkdtempSync(join(tmpdir(), "receive-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A small "closure": a folder path, one past the file-size limit below, a file, a symlink.
const source = join(work, "source");
const names = [
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-small",
  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-kernel",
  "cccccccccccccccccccccccccccccccc-file",
  "dddddddddddddddddddddddddddddddd-link",
];
mkdirSync(join(source, names[0]!, "bin"), { recursive: true });
writeFileSync(join(source, names[0]!, "bin", "tool"), "#!/bin/sh\n");
mkdirSync(join(source, names[1]!));
writeFileSync(join(source, names[1]!, "bzImage"), Buffer.alloc(300_000, 1));
writeFileSync(join(source, names[2]!), "a file path\n");
symlinkSync(`/nix/store/${names[2]}`, join(source, names[3]!));

async function markedStream(paths: readonly string[]): Promise<Buffer> {
  const tar = execFileSync("tar", ["-c", "-f", "-", "--format=gnu", "-C", source, "--null", "-T", "-"], {
    input: paths.map((n) => `${n}\0`).join(""),
  });
  const parts: Uint8Array[] = [];
  for await (const c of markPathBoundaries((async function* () { yield tar; })())) parts.push(c);
  return Buffer.concat(parts);
}

// dash with GNU tar, and busybox ash with its own tar: the shells and tars targets have.
for (const { name: label, id, argv: [file, ...pre], available } of TARGET_SHELLS) {

  /** Runs the receiver; `fileLimitBlocks` stands in for a disk that fills mid-copy. */
  const receive = (root: string, input: Buffer, fileLimitBlocks?: number, finish: string[] = []) =>
    spawnSync(
      file,
      [...pre, "-c", `${fileLimitBlocks === undefined ? "" : `ulimit -f ${fileLimitBlocks}; trap '' XFSZ; `}eval "$RECEIVE"`, "nixos-via-receive", root, "none", ...finish],
      { input, env: { ...process.env, RECEIVE: RECEIVE_CLOSURE_SCRIPT }, encoding: "utf8" },
    );
  const trusted = (root: string): string[] => {
    const incoming = join(root, "nix/store/.nixos-via-incoming");
    if (!existsSync(join(incoming, ".done"))) return [];
    const script = `${STAGED_PATH_CHECK}\nfor m in "$1"/.done/*; do staged_ok "$1" "\${m##*/}" && echo "\${m##*/}"; done; exit 0`;
    return execFileSync(file, [...pre, "-c", script, "check", incoming], { encoding: "utf8" }).split("\n").filter(Boolean);
  };

  describe.skipIf(!available)(`the receiving script under ${label}`, () => {
    it("never trusts a path that a full disk cut short, and the rerun completes it", async () => {
      const root = join(work, `root-${id}`);
      mkdirSync(root);
      const full = await markedStream(names);
      // 100 blocks of 512 bytes: the 300 kB kernel cannot be written whole; tar goes on.
      const first = receive(root, full, 100);
      expect(first.status).not.toBe(0);
      const kept = trusted(root);
      expect(kept).not.toContain(names[1]);
      expect(kept).toContain(names[0]);
      // The next run sends only what is not trusted, as the planner does with the probe's word.
      const second = receive(root, await markedStream(names.filter((n) => !kept.includes(n))));
      expect(second.status, second.stderr).toBe(0);
      for (const name of names) execFileSync("diff", ["-r", "--no-dereference", join(source, name), join(root, "nix/store", name)]);
      expect(existsSync(join(root, "nix/store/.nixos-via-incoming"))).toBe(false);
    });

    it("does not take a stale end marker for a whole stream", async () => {
      const root = join(work, `stale-${id}`);
      const incoming = join(root, "nix/store/.nixos-via-incoming");
      mkdirSync(join(incoming, ".done"), { recursive: true });
      writeFileSync(join(incoming, ".end"), "");
      const whole = await markedStream(names);
      // A stream cut after its first path: without its own end marker nothing may move.
      const cut = receive(root, whole.subarray(0, 4096));
      expect(cut.status).not.toBe(0);
      expect(readdirSync(join(root, "nix/store")).filter((n) => !n.startsWith("."))).toEqual([]);
    });

    it("a stage run lists what it staged; only the after-stage run that follows trusts that list", async () => {
      const root = join(work, `stage-${id}`);
      const incoming = join(root, "nix/store/.nixos-via-incoming");
      const staged = receive(root, await markedStream(names.slice(0, 2)), undefined, ["stage"]);
      expect(staged.status, staged.stderr).toBe(0);
      expect(readFileSync(join(incoming, ".verified"), "utf8").split("\n").filter(Boolean).sort()).toEqual(names.slice(0, 2));
      const promoted = receive(root, await markedStream(names.slice(2)), undefined, ["after-stage"]);
      expect(promoted.status, promoted.stderr).toBe(0);
      for (const name of names) execFileSync("diff", ["-r", "--no-dereference", join(source, name), join(root, "nix/store", name)]);
      expect(existsSync(incoming)).toBe(false);

      // A plain run ignores a list it finds: a listed path that no longer matches its marker goes.
      const other = join(work, `stale-list-${id}`);
      const otherIncoming = join(other, "nix/store/.nixos-via-incoming");
      expect(receive(other, await markedStream(names.slice(0, 1)), undefined, ["stage"]).status).toBe(0);
      writeFileSync(join(otherIncoming, names[0]!, "bin", "extra"), "not sent\n");
      const plain = receive(other, await markedStream(names.slice(1)));
      expect(plain.status, plain.stderr).toBe(0);
      expect(existsSync(join(other, "nix/store", names[0]!))).toBe(false);
      expect(existsSync(otherIncoming)).toBe(false);
    });

    it("drops markers of an earlier format or without their path", async () => {
      const root = join(work, `old-${id}`);
      const incoming = join(root, "nix/store/.nixos-via-incoming");
      mkdirSync(join(incoming, ".done"), { recursive: true });
      mkdirSync(join(incoming, names[1]!));
      writeFileSync(join(incoming, names[1]!, "bzImage"), "");
      writeFileSync(join(incoming, ".done", names[1]!), "");
      writeFileSync(join(incoming, ".done", names[2]!), "files=1 bytes=12 links=0 dirs=0\n");
      expect(trusted(root)).toEqual([]);
      const run = receive(root, await markedStream(names));
      expect(run.status, run.stderr).toBe(0);
      execFileSync("diff", ["-r", join(source, names[1]!), join(root, "nix/store", names[1]!)]);
    });
  });
}

describe("the receiving script with a zstd window wider than 128 MiB", () => {
  it("decodes it when told the window, and keeps nothing when not told", async () => {
    // Piped, zstd declares the whole window in the frame (the size is unknown), however
    // short the stream: a 256 MiB window is past zstd -d's default limit.
    const stream = execFileSync("zstd", ["-q", "-c", "-3", "--long=28"], { input: await markedStream(names) });
    const run = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { input: stream, encoding: "utf8" });

    const told = join(work, "wide-told");
    const [, ...toldArgs] = receiveClosureScript(told, "zstd", "promote", 28);
    expect(toldArgs.slice(-2)).toEqual(["promote", "28"]);
    const ok = run(["sh", ...toldArgs]);
    expect(ok.status, ok.stderr).toBe(0);
    for (const name of names) execFileSync("diff", ["-r", "--no-dereference", join(source, name), join(told, "nix/store", name)]);

    // A window zstd -d reads unasked adds no argument.
    expect(receiveClosureScript(told, "zstd", "promote", 27)).toEqual(receiveClosureScript(told, "zstd"));
    const untold = join(work, "wide-untold");
    const [, ...untoldArgs] = receiveClosureScript(untold, "zstd", "promote", 27);
    const refused = run(["sh", ...untoldArgs]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--long=28|memory/);
    expect(existsSync(join(untold, "nix/store", names[0]!))).toBe(false);
  });
});
