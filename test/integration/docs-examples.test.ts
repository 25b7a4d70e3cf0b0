import { readdirSync } from "node:fs";
import { copyFile, mkdir, symlink } from "node:fs/promises";
import { join, relative } from "node:path";
import { PassThrough } from "node:stream";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../packages/cli/src/main.js";
import { nixosVia } from "../support/cli.js";
import { readDocCommands, type DocCommand } from "../support/markdownCommands.js";
import { buildMiniSystem } from "../support/nix.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

// Every `nixos-via` command the docs show (README.md, docs/**, examples/**/README.md) is
// checked against the real CLI, so the docs cannot drift from it (issue 18):
// - each one parses: its command, options, their values and conflicts (a synopsis: its command exists);
// - each one on a dir: or image: target, and each `layout` command, runs on this machine in a
//   scratch folder that has what the docs assume (`./result`, `disks.json`, roots at the
//   paths they name holding generations 1 and 2). install, deploy, rollback and gc run as
//   dry runs (one example's real run would change the next one's starting point); layout,
//   generations and enter run as written. A `$ nixos-via …` transcript must print what the
//   docs show, where `…` stands for anything. disk: and ssh:// examples are covered by the
//   e2e tests on loop devices and QEMU machines; here they are only parsed.

const repo = new URL("../../", import.meta.url).pathname;
const bin = join(repo, "packages/cli/bin/nixos-via.js");

function markdownFiles(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (skip.includes(path) || e.name === "node_modules") return [];
    return e.isDirectory() ? markdownFiles(path, skip) : e.name.endsWith(".md") ? [path] : [];
  });
}

const files = [join(repo, "README.md"), ...markdownFiles(join(repo, "docs"), [join(repo, "docs/api")]), ...markdownFiles(join(repo, "examples"))];
const commands: DocCommand[] = files.flatMap((f) => readDocCommands(f, relative(repo, f)));
const shown = (c: DocCommand) => `${c.where}: nixos-via ${c.argv.join(" ")}`;

async function validate(argv: readonly string[]): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = "";
  stdout.resume();
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await main(argv, { stdout, stderr }, new AbortController().signal, { validateOnly: true });
  return { code, stderr: err };
}

const RUNS_HERE = new Set(["install", "deploy", "rollback", "gc", "generations", "enter", "layout"]);
const DRY_RUN = new Set(["install", "deploy", "rollback", "gc"]);
const runsHere = (c: DocCommand) =>
  !c.synopsis && RUNS_HERE.has(c.argv[0]!) && (c.argv[0] === "layout" || /^(dir|image):/.test(c.argv[1] ?? ""));

/** Whether `actual` shows what the docs show: line by line, `…` standing for any text (a line of it alone, for any lines), any store hash and date for any other. */
function showsAsDocumented(documented: string, actual: string): boolean {
  // Store hashes and dates differ from machine to machine and run to run.
  const general = (s: string) => s.replace(/\/nix\/store\/[0-9a-z]{32}-/g, "/nix/store/…-").replace(/\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b/g, "YYYY-MM-DD HH:MM");
  documented = general(documented);
  actual = general(actual);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = documented
    .split("\n")
    .map((line) => (line.trim() === "…" ? "(?:.*\\n)*?" : `${line.split("…").map(escape).join(".*")}\\n`))
    .join("");
  return new RegExp(`^${pattern}$`).test(`${actual.replace(/\n*$/, "")}\n`);
}

describe("the command examples in the docs", () => {
  it("are found: the docs show the commands they document", () => {
    const names = new Set(commands.map((c) => c.argv[0]));
    for (const name of ["install", "deploy", "rollback", "generations", "gc", "enter", "layout"]) expect(names).toContain(name);
    expect(commands.filter(runsHere).length).toBeGreaterThanOrEqual(15);
  });

  describe("parse with the CLI as it is", () => {
    it.each(commands.map((c) => ({ c, name: shown(c) })))("$name", async ({ c }) => {
      const r = await validate(c.synopsis ? [c.argv[0]!, "--help"] : c.argv);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    });
  });

  describe("run on this machine", () => {
    let work: string;
    let systems: Record<string, string>;

    beforeAll(async () => {
      work = await tempRoot("nixos-via-docs-");
      const [gen1, gen2, bios] = await Promise.all([
        buildMiniSystem({ generation: "1" }),
        buildMiniSystem({ generation: "2" }),
        // It carries its layout too (docs/layouts.md shows an install with no --layout).
        buildMiniSystem({ generation: "1", boot: "bios", layout: join(repo, "examples/layouts/bios-ext4.json") }),
      ]);
      systems = { "1": gen1!, "2": gen2! };
      // A BIOS system and layout: this machine's kernel cannot mount the vfat of a UEFI
      // layout's ESP (TESTBED.md), so local image installs use extlinux.
      await symlink(bios!, join(work, "result"));
      await symlink(join(repo, "examples"), join(work, "examples"));
      for (const [name, from] of [["disks.json", "bios-ext4.json"], ["two-disks.json", "two-disks.json"], ["luks.json", "luks-lvm.json"]] as const) {
        await copyFile(join(repo, "examples/layouts", from), join(work, name));
      }
      // The roots the docs deploy to, enter and list: generations 1 and 2, 2 current.
      for (const root of ["/srv/roots/web", "/var/lib/machines/web"]) {
        await mkdir(join(work, root, "boot"), { recursive: true, mode: 0o755 });
        for (const system of [gen1!, gen2!]) {
          const run = await nixosVia(["deploy", `dir:${join(work, root)}`, "--system", system]);
          expect(run.exitCode, run.stderr).toBe(0);
        }
      }
    });
    afterAll(async () => {
      await removeTree(work);
    });

    /** The example's argv in the scratch folder: its absolute dir: roots under it, its store paths of the example system ours. */
    async function localised(c: DocCommand): Promise<string[]> {
      const argv = c.argv.map((a) =>
        a
          .replace(/^dir:\//, `dir:${work}/`)
          .replace(/^\/run\/current-system$/, systems["1"]!)
          .replace(/^\/nix\/store\/[0-9a-z]{32}-nixos-system-nixos-via-(\d+)$/, (_, n: string) => systems[n] ?? _),
      );
      const dir = /^dir:(.*)$/.exec(argv[1] ?? "")?.[1];
      // A root the docs install into is prepared as they say: an empty folder with /boot.
      if (dir !== undefined && argv[0] === "install") await mkdir(join(dir, "boot"), { recursive: true, mode: 0o755 });
      if (DRY_RUN.has(argv[0]!) && !argv.includes("--dry-run") && !argv.includes("-n")) argv.push("--dry-run");
      return argv;
    }

    it.each(commands.filter(runsHere).map((c) => ({ c, name: shown(c) })))("$name", async ({ c }) => {
      const argv = await localised(c);
      const r = await execa("node", [bin, ...argv], { cwd: work, reject: false, all: true, stdin: "ignore", env: { NO_COLOR: "1" } });
      const printed = (r.all ?? "").replaceAll(work, "");
      if (c.output !== undefined) {
        expect(showsAsDocumented(c.output, printed), `${c.where} documents:\n${c.output}\n\nit printed:\n${printed}`).toBe(true);
      } else {
        expect(r.exitCode, printed).toBe(0);
      }
    });
  });
});
