import { existsSync } from "node:fs";
import { cp, mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, closureOf, nix } from "../support/nix.js";
import { removeTree, tempRoot, treeFingerprint } from "../support/tempRoot.js";

const repo = new URL("../../", import.meta.url).pathname;
const bin = join(repo, "packages/cli/bin/nixos-via.js");
const layouts = join(repo, "examples/layouts");

/** The lines of a run's stderr, without empty ones. */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter(Boolean);
}

// The CLI keeps the contract its docs promise (issue 18): a dry run checks what the real
// run checks, refusals come before the first step in one line, and no output is a crash.
describe("nixos-via keeps its documented contract", () => {
  let work: string;
  let uefi1: string;
  let gen2: string;
  let bios1: string;
  /** A dir: root with generations 1 and 2, 2 current. */
  let root: string;

  beforeAll(async () => {
    work = await tempRoot("nixos-via-contract-");
    [uefi1, gen2, bios1] = await Promise.all([
      buildMiniSystem({ generation: "1" }),
      buildMiniSystem({ generation: "2" }),
      buildMiniSystem({ generation: "1", boot: "bios" }),
    ]);
    root = join(work, "root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    for (const system of [uefi1, gen2]) {
      const run = await nixosVia(["deploy", `dir:${root}`, "--system", system]);
      expect(run.exitCode, run.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await removeTree(work);
  });

  describe("a dry run checks what the real run checks", () => {
    it("refuses a missing image without --image-size the same way, creating nothing", async () => {
      const image = join(work, "missing.img");
      const args = ["install", `image:${image}`, "--layout", join(layouts, "bios-ext4.json"), "--system", bios1];
      const real = await nixosVia(args);
      const dry = await nixosVia([...args, "--dry-run"]);
      expect(real.exitCode).toBe(2);
      expect(dry.exitCode).toBe(real.exitCode);
      expect(errorLines(dry.stderr)[0]).toBe(errorLines(real.stderr)[0]);
      expect(errorLines(dry.stderr)[0]).toContain("--image-size");
      expect(dry.stdout).toBe("");
      expect(existsSync(image)).toBe(false);
    });

    it("refuses an image attached to a loop device already, the same way", async () => {
      const image = join(work, "attached.img");
      await execa("truncate", ["-s", "64M", image]);
      const device = (await execa("losetup", ["-f", "--show", image])).stdout.trim();
      try {
        const args = ["install", `image:${image}`, "--layout", join(layouts, "bios-ext4.json"), "--system", bios1];
        const real = await nixosVia(args);
        const dry = await nixosVia([...args, "--dry-run"]);
        expect(real.exitCode).toBe(1);
        expect(errorLines(real.stderr)[0]).toBe(`nixos-via: error: ${image} is attached already (${device}); detach it first`);
        expect(dry.exitCode).toBe(real.exitCode);
        expect(errorLines(dry.stderr)[0]).toBe(errorLines(real.stderr)[0]);
        expect(dry.stdout).toBe("");
      } finally {
        await execa("losetup", ["-d", device], { reject: false });
      }
    });
  });

  describe("refusals before the first step, in one line", () => {
    it("refuses an --image-size below the layout's partitions plus the closure, saying the minimum", async () => {
      const closureBytes = (await nix(["nix", "path-info", "-S", bios1])).trim().split(/\s+/)[1];
      expect(Number(closureBytes)).toBeGreaterThan(50 * 2 ** 20);
      for (const extra of [[], ["--dry-run"]]) {
        const image = join(work, "small.img");
        const run = await nixosVia(["install", `image:${image}`, "--image-size", "20M", "--layout", join(layouts, "bios-ext4.json"), "--system", bios1, ...extra]);
        expect(run.exitCode, run.stderr).toBe(2);
        const lines = errorLines(run.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^nixos-via: error: --image-size 20\.0 MiB is too small for .*: give at least \d+M/);
        expect(run.stdout).toBe("");
        expect(run.stderr).not.toMatch(/\[\d+\/\d+\]/);
        expect(existsSync(image)).toBe(false);
      }
      const zero = await nixosVia(["install", `image:${join(work, "zero.img")}`, "--image-size", "0", "--layout", join(layouts, "bios-ext4.json"), "--system", bios1]);
      expect(zero.exitCode).toBe(2);
      expect(errorLines(zero.stderr)).toHaveLength(1);
      expect(errorLines(zero.stderr)[0]).toMatch(/^nixos-via: error: --image-size 0 B is too small for .*: give at least \d+M/);
      expect(existsSync(join(work, "zero.img"))).toBe(false);
    });

    it("refuses a systemd-boot system for a dir: root without /boot, saying what to do", async () => {
      const dir = await tempRoot();
      try {
        for (const extra of [[], ["--dry-run"]]) {
          const run = await nixosVia(["install", `dir:${dir}`, "--system", uefi1, ...extra]);
          expect(run.exitCode, run.stderr).toBe(1);
          const lines = errorLines(run.stderr);
          expect(lines).toHaveLength(1);
          expect(lines[0]).toContain(`mkdir -m 0755 ${dir}/boot`);
          expect(lines[0]).toContain("mount the ESP");
          expect(await readdir(dir)).toEqual([]);
        }
        // extlinux lives in the root's own /boot, which its installer creates.
        const bios = await nixosVia(["install", `dir:${dir}`, "--system", bios1, "--dry-run"]);
        expect(bios.exitCode, bios.stderr).toBe(0);
      } finally {
        await removeTree(dir);
      }
    });

    it("refuses a systemd-boot system onto a BIOS-only layout before creating the image", async () => {
      const image = join(work, "bios-layout.img");
      for (const extra of [[], ["--dry-run"]]) {
        const run = await nixosVia(["install", `image:${image}`, "--image-size", "1G", "--layout", join(layouts, "bios-ext4.json"), "--system", uefi1, ...extra]);
        expect(run.exitCode, run.stderr).toBe(2);
        const lines = errorLines(run.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain("the layout mounts nothing at /boot");
        expect(lines[0]).toContain("EF00");
        expect(existsSync(image)).toBe(false);
      }
      // The same layout suits a system with a BIOS bootloader. (That an ESP at /boot suits the
      // UEFI system is a unit test: this machine's kernel cannot mount vfat for an image.)
      const bios = await nixosVia(["install", `image:${image}`, "--image-size", "1G", "--layout", join(layouts, "bios-ext4.json"), "--system", bios1, "--dry-run"]);
      expect(bios.exitCode, bios.stderr).toBe(0);
    });

    it("counts staged store paths apart from registered ones in the plan", async () => {
      const dir = await tempRoot();
      try {
        // What a copy cut before registration leaves: a complete path in the staging folder.
        const closure = await closureOf(bios1);
        const leaf = closure.find((p) => p.includes("-vmlinuz-")) ?? closure[0]!;
        const name = leaf.slice("/nix/store/".length);
        const incoming = join(dir, "nix/store/.nixos-via-incoming");
        await mkdir(join(incoming, ".done"), { recursive: true });
        await cp(leaf, join(incoming, name), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
        const manifest = await execa("sh", ["-c", `. ${repo}packages/core/src/closure/stagedPathCheck.sh; path_manifest "$1"`, "sh", join(incoming, name)]);
        await writeFile(join(incoming, ".done", name), manifest.stdout);

        const run = await nixosVia(["install", `dir:${dir}`, "--system", bios1, "--dry-run"]);
        expect(run.exitCode, run.stderr).toBe(0);
        expect(run.stdout).toContain(`closure: ${closure.length} paths; 0 already registered; 1 staged by an earlier run; ${closure.length - 1} to copy`);
        const json = await nixosVia(["install", `dir:${dir}`, "--system", bios1, "--dry-run", "--json"]);
        expect(events(json.stdout)[0]).toMatchObject({ type: "plan", plan: { copy: { present: 0, staged: 1, paths: closure.length - 1, total: closure.length } } });
      } finally {
        await removeTree(dir);
      }
    });
  });

  describe("a closed stdout and a bare command", () => {
    it("exits 0 without a stack trace when the help's reader stops early", async () => {
      for (const args of ["install --help", "gc --help", "deploy --help", "help gc"]) {
        for (let i = 0; i < 10; i++) {
          const run = await execa("bash", ["-c", `set -o pipefail; node ${bin} ${args} | head -1`], { reject: false });
          expect(run.exitCode, `${args}: ${run.stderr}`).toBe(0);
          expect(run.stderr).toBe("");
          expect(run.stdout).toMatch(/^Usage: nixos-via /);
        }
      }
    });

    it("prints the help on stderr and exits 2 without arguments", async () => {
      const run = await nixosVia([]);
      expect(run.exitCode).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^Usage: nixos-via /);
      expect(run.stderr).toContain("install [options] <target>");
    });
  });

  describe("commands act only on roots that hold a system", () => {
    for (const args of [["gc", "--keep", "1"], ["gc", "--keep", "1", "--dry-run"], ["generations"], ["generations", "--json"], ["enter"], ["enter", "--", "true"]]) {
      it(`${args.join(" ")} refuses a directory with no system profile and leaves it as it was`, async () => {
        const dir = await tempRoot();
        try {
          await writeFile(join(dir, "keep"), "mine");
          const before = await treeFingerprint(dir);
          const [command, ...rest] = args;
          const run = await nixosVia([command!, `dir:${dir}`, ...rest]);
          expect(run.exitCode).toBe(1);
          expect(errorLines(run.stderr)).toEqual([`nixos-via: error: dir:${dir} holds no system: ${dir}/nix/var/nix/profiles/system does not exist; install one first`]);
          if (args.includes("--json")) expect(events(run.stdout)).toMatchObject([{ type: "error", error: { code: "TARGET_UNUSABLE" } }]);
          expect(await treeFingerprint(dir)).toEqual(before);
        } finally {
          await removeTree(dir);
        }
      });
    }

    // Before any real gc here: Nix recreates the db/reserved file a collection removed on its next read.
    it("rollback and gc have a dry run that changes nothing, also with --json", async () => {
      const before = await treeFingerprint(root);
      const rollback = await nixosVia(["rollback", `dir:${root}`, "--dry-run"]);
      expect(rollback.exitCode, rollback.stderr).toBe(0);
      expect(rollback.stdout).toContain("generation 1");
      const gc = await nixosVia(["gc", `dir:${root}`, "--keep", "1", "--dry-run"]);
      expect(gc.exitCode, gc.stderr).toBe(0);
      expect(gc.stdout).toContain("remove generation 1");
      for (const args of [["rollback", `dir:${root}`], ["gc", `dir:${root}`, "--keep", "1"]]) {
        const json = await nixosVia([...args, "--dry-run", "--json"]);
        expect(json.exitCode, json.stderr).toBe(0);
        expect(events(json.stdout)[0]).toMatchObject({ type: "plan", dryRun: true });
      }
      const after = await treeFingerprint(root);
      expect(after.filter((l) => !before.includes(l))).toEqual([]);
      expect(before.filter((l) => !after.includes(l))).toEqual([]);
    });

    it("gc on a real root keeps the Nix garbage collector's noise out of the output", async () => {
      // Where /proc is not mounted (containers, chroots), Nix's Boehm GC warns on stderr.
      const run = await execa("unshare", ["-m", "sh", "-c", 'mount -t tmpfs none /proc && exec node "$@"', "sh", bin, "gc", `dir:${root}`, "--keep", "2"], {
        reject: false,
        env: { NIX_CONFIG: "build-users-group =\nexperimental-features = nix-command" },
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toContain("deleting garbage");
      expect(run.stdout + run.stderr).not.toContain("GC Warning");
      expect(run.stdout).toContain("removed 0 generations (none)");
    });
  });

  describe("results say what happened", () => {
    it("deploy --action test of an older system says what was tested and that it is not current", async () => {
      const run = await nixosVia(["deploy", `dir:${root}`, "--system", uefi1, "--action", "test"]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).not.toContain("generation 2)");
      expect(run.stdout).toContain(`deployed ${uefi1} to dir:${root} (test inside the root: activated, not made current; generation 2 stays current)`);
    });

    it("deploy --json starts with the diff, then the plan, as docs/cli.md says", async () => {
      const run = await nixosVia(["deploy", `dir:${root}`, "--system", gen2, "--dry-run", "--json"]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(events(run.stdout).map((e) => e["type"])).toEqual(["diff", "plan"]);
      const docs = await import("node:fs/promises").then((fs) => fs.readFile(join(repo, "docs/cli.md"), "utf8"));
      expect(docs).toContain("| `plan` | `plan` (the whole plan: steps, argv, env, copy sizes); `dryRun: true` on a dry run | first event of a run, after `deploy`'s `diff`");
      expect(docs).not.toContain("Errors of `generations`");
      expect(docs).not.toContain("`rollback` has no `--dry-run`");
    });

    it("generations --json reports an error as a JSON event", async () => {
      const run = await nixosVia(["generations", `dir:${join(work, "nowhere")}`, "--json"]);
      expect(run.exitCode).toBe(1);
      expect(events(run.stdout)).toMatchObject([{ type: "error", error: { code: "TARGET_UNUSABLE" } }]);
    });

    it("the commands the README gives --dry-run and --json have both", async () => {
      for (const command of ["install", "deploy", "rollback", "gc"]) {
        const help = await nixosVia([command, "--help"]);
        expect(help.stdout, command).toContain("--dry-run");
        expect(help.stdout, command).toContain("--json");
      }
      const readme = await import("node:fs/promises").then((fs) => fs.readFile(join(repo, "README.md"), "utf8"));
      expect(readme).not.toContain("Every command has `--help`, `--dry-run`");
    });
  });

  describe("layout refuses options that do not go together", () => {
    const file = join(layouts, "bios-ext4.json");
    for (const [args, pattern] of [
      [["--disk", "main=/dev/sdz"], /--disk is for --plan/],
      [["--check", "--nixos-module"], /--check and --nixos-module/],
      [["--check", "--plan"], /--check and --plan/],
      [["--nixos-module", "--plan"], /--nixos-module and --plan/],
    ] as const) {
      it(`layout ${args.join(" ")} is a usage error`, async () => {
        const run = await nixosVia(["layout", file, ...args]);
        expect(run.exitCode).toBe(2);
        expect(run.stdout).toBe("");
        const lines = errorLines(run.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^nixos-via: error: /);
        expect(lines[0]).toMatch(pattern);
      });
    }

    it("layout --nixos-module --json prints the module inside one JSON object", async () => {
      const text = await nixosVia(["layout", file, "--nixos-module"]);
      const run = await nixosVia(["layout", file, "--nixos-module", "--json"]);
      expect(run.exitCode).toBe(0);
      // execa drops the text's last newline; the module in the JSON keeps it.
      expect(events(run.stdout)).toEqual([{ type: "nixos-module", module: `${text.stdout}\n` }]);
    });

    it("an unknown top-level key says 'unknown option', as docs/layouts.md promises", async () => {
      const bad = join(work, "extra.json");
      await writeFile(bad, JSON.stringify({ disk: { main: { type: "disk", device: "/dev/vda" } }, extra: 1 }));
      const run = await nixosVia(["layout", bad]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("extra: unknown option; nixos-via does not act on it");
      expect(run.stderr).not.toContain("unknown key");
    });
  });

  describe("getting started", () => {
    it("runs from anywhere once bin/nixos-via.js is linked onto PATH, as npm link does", async () => {
      const pathDir = join(work, "bin");
      await mkdir(pathDir, { recursive: true });
      await symlink(bin, join(pathDir, "nixos-via"));
      const run = await execa("nixos-via", ["--version"], { cwd: "/", env: { PATH: `${pathDir}:${process.env["PATH"]}` }, reject: false });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toBe("0.1.0");
      const readme = await import("node:fs/promises").then((fs) => fs.readFile(join(repo, "README.md"), "utf8"));
      expect(readme).toContain("npm link -w packages/cli");
    });
  });
});
