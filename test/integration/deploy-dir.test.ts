import { existsSync } from "node:fs";
import { mkdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, closureOf, nix, NIX_ENV } from "../support/nix.js";
import { removeTree, tempRoot, treeFingerprint } from "../support/tempRoot.js";

// deploy, generations, rollback, enter and gc on a dir: root, judged by Nix.
describe("nixos-via deploy dir:", () => {
  let work: string;
  let root: string;
  let gen1: string;
  let gen2: string;

  beforeAll(async () => {
    work = await tempRoot("nixos-via-deploy-");
    root = join(work, "root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    [gen1, gen2] = await Promise.all([buildMiniSystem({ generation: "1" }), buildMiniSystem({ generation: "2" })]);
  });
  afterAll(async () => {
    await removeTree(work);
  });

  it("deploys generation 1, then 2 copying only the paths that differ", async () => {
    const first = await nixosVia(["deploy", `dir:${root}`, "--system", gen1, "--json"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(events(first.stdout).find((e) => e["type"] === "done")).toMatchObject({ ok: true, copiedPaths: (await closureOf(gen1)).length });

    const [c1, c2] = [await closureOf(gen1), await closureOf(gen2)];
    const differing = c2.filter((p) => !c1.includes(p));
    const dry = await nixosVia(["deploy", `dir:${root}`, "--system", gen2, "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stderr).toContain(`${differing.length} store paths added`);
    expect(dry.stderr).toMatch(/motd-generation: 1 → 2/);
    expect(dry.stdout).toContain(`${differing.length} to copy`);

    const second = await nixosVia(["deploy", `dir:${root}`, "--system", gen2, "--json"]);
    expect(second.exitCode, second.stderr).toBe(0);
    const evs = events(second.stdout);
    expect(evs.find((e) => e["type"] === "diff")).toMatchObject({ diff: { added: differing.length, removed: differing.length } });
    expect(evs.find((e) => e["type"] === "done")).toMatchObject({ ok: true, copiedPaths: differing.length });
    expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-2-link");
  });

  it("lists both generations with 2 current", async () => {
    const run = await nixosVia(["generations", `dir:${root}`, "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const { generations } = JSON.parse(run.stdout) as { generations: { number: number; toplevel: string; current: boolean; closureBytes: number; date: string }[] };
    expect(generations.map((g) => [g.number, g.toplevel, g.current])).toEqual([
      [1, gen1, false],
      [2, gen2, true],
    ]);
    expect(generations[0]!.closureBytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(Date.now() - new Date(generations[1]!.date).getTime()).toBeLessThan(3_600_000);
    const text = await nixosVia(["generations", `dir:${root}`]);
    expect(text.stdout).toMatch(/^ +2 .*\(current\)$/m);
  });

  it("rolls back to 1, and enter shows the system that is current", async () => {
    const run = await nixosVia(["rollback", `dir:${root}`]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-1-link");
    const entered = await execa("node", [new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname, "enter", `dir:${root}`, "--", "cat", "/run/current-system/nixos-version"], { reject: false });
    expect(entered.exitCode, entered.stderr).toBe(0);
    expect(entered.stdout).toContain("via-example-1");
    const status = await nixosVia(["enter", `dir:${root}`, "--", "sh", "-c", "exit 7"]);
    expect(status.exitCode).toBe(7);
  });

  it("gc --keep 1 removes the other generation's own paths and Nix still verifies the store", async () => {
    const c1 = await closureOf(gen1);
    const onlyIn2 = (await closureOf(gen2)).filter((p) => !c1.includes(p));
    const before = await treeFingerprint(root);
    const dry = await nixosVia(["gc", `dir:${root}`, "--keep", "1", "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain("remove generation 2");
    expect(await treeFingerprint(root)).toEqual(before);

    const run = await nixosVia(["gc", `dir:${root}`, "--keep", "1"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(join(root, "nix/var/nix/profiles/system-2-link"))).toBe(false);
    for (const p of onlyIn2) expect(existsSync(join(root, p))).toBe(false);
    for (const p of c1) expect(existsSync(join(root, p))).toBe(true);
    const valid = (await nix(["nix", "path-info", "--store", `local?root=${root}`, "-r", gen1])).split("\n").filter(Boolean).sort();
    expect(valid).toEqual(c1);
    const verify = await execa("nix-store", ["--store", `local?root=${root}`, "--verify", "--check-contents"], { env: NIX_ENV, reject: false });
    expect(verify.exitCode).toBe(0);
  });

  it("refuses bad input with one line and exit 2", async () => {
    const both = await nixosVia(["gc", `dir:${root}`, "--keep", "1", "--older-than", "30d"]);
    expect(both.exitCode).toBe(2);
    const action = await nixosVia(["deploy", `dir:${root}`, "--system", gen1, "--action", "reboot"]);
    expect(action.exitCode).toBe(2);
    const disk = await nixosVia(["deploy", "disk:/dev/sdz", "--system", gen1]);
    expect(disk.exitCode).toBe(2);
    expect(disk.stderr.split("\n")[0]).toMatch(/hold no running system/);
  });
});
