import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, closureOf } from "../support/nix.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const repo = new URL("../../", import.meta.url).pathname;

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

  describe("refusals before the first step, in one line", () => {
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
});
