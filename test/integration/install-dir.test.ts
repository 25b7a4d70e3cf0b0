import { existsSync } from "node:fs";
import { readFile, readlink, writeFile, mkdir, chmod, symlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, closureOf, nix, NIX_ENV } from "../support/nix.js";
import { removeTree, tempRoot, treeFingerprint } from "../support/tempRoot.js";

// install dir: end to end with real Nix: the result is judged by Nix itself.
describe("nixos-via install dir:", () => {
  let gen1: string;
  let gen2: string;
  let root: string;
  const cleanup: string[] = [];

  beforeAll(async () => {
    gen1 = await buildMiniSystem({ generation: "1" });
    gen2 = await buildMiniSystem({ generation: "2" });
    root = await tempRoot();
    cleanup.push(root);
    await mkdir(join(root, "boot"));
  });

  afterAll(async () => {
    for (const dir of cleanup) await removeTree(dir);
  });

  it("installs generation 1 so that Nix accepts the store and the system is activated", async () => {
    const run = await nixosVia(["install", `dir:${root}`, "--system", gen1, "--json"]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const closure = await closureOf(gen1);
    const done = events(run.stdout).find((e) => e["type"] === "done");
    expect(done).toMatchObject({ ok: true, copiedPaths: closure.length });

    const installed = (await nix(["nix", "path-info", "--store", `local?root=${root}`, "-r", gen1]))
      .split("\n")
      .filter(Boolean)
      .sort();
    expect(installed).toEqual(closure);
    const verify = await execa("nix-store", ["--store", `local?root=${root}`, "--verify", "--check-contents"], {
      env: NIX_ENV,
      reject: false,
    });
    expect(verify.exitCode).toBe(0);
    expect(verify.stderr).not.toMatch(/corrupt|invalid|error/i);

    const profiles = join(root, "nix/var/nix/profiles");
    expect(await readlink(join(profiles, "system"))).toBe("system-1-link");
    expect(await readlink(join(profiles, "system-1-link"))).toBe(gen1);
    expect(existsSync(join(root, "etc/NIXOS"))).toBe(true);
    expect(await readlink(join(root, "etc/mtab"))).toBe("/proc/mounts");
    // What the example's activation and bootloader installer leave behind.
    expect(existsSync(join(root, "etc/ssh/ssh_host_ed25519_key"))).toBe(true);
    expect(existsSync(join(root, "etc/passwd"))).toBe(true);
    const entry = await readFile(join(root, "boot/loader/entries/nixos-generation-1.conf"), "utf8");
    expect(entry).toContain(`init=${gen1}/init`);
    expect(existsSync(join(root, "boot/EFI/BOOT/BOOTX64.EFI"))).toBe(true);
    // Nothing is left in the staging folder of the copy engine.
    expect(existsSync(join(root, "nix/store/.nixos-via-incoming"))).toBe(false);
  });

  it("copies nothing and adds no generation when installing the same system again", async () => {
    const run = await nixosVia(["install", `dir:${root}`, "--system", gen1, "--json"]);
    expect(run.exitCode).toBe(0);
    const evs = events(run.stdout);
    expect(evs.find((e) => e["type"] === "done")).toMatchObject({ ok: true, copiedPaths: 0, copiedBytes: 0 });
    expect(evs.some((e) => e["type"] === "step-start" && e["phase"] === "copy")).toBe(false);
    expect(existsSync(join(root, "nix/var/nix/profiles/system-2-link"))).toBe(false);
  });

  it("installs generation 2 over it, copying only the paths that differ", async () => {
    const [closure1, closure2] = await Promise.all([closureOf(gen1), closureOf(gen2)]);
    const differing = closure2.filter((p) => !closure1.includes(p));
    expect(differing.length).toBeGreaterThan(0);
    expect(differing.length).toBeLessThan(closure2.length / 2);

    const run = await nixosVia(["install", `dir:${root}`, "--system", gen2, "--json"]);
    expect(run.exitCode).toBe(0);
    const plan = events(run.stdout).find((e) => e["type"] === "plan") as { plan: { copy: { paths: number } } };
    expect(plan.plan.copy.paths).toBe(differing.length);
    expect(events(run.stdout).find((e) => e["type"] === "done")).toMatchObject({ copiedPaths: differing.length });

    const profiles = join(root, "nix/var/nix/profiles");
    expect(await readlink(join(profiles, "system-2-link"))).toBe(gen2);
    expect(await readlink(join(profiles, "system-1-link"))).toBe(gen1);
    expect(await readlink(join(profiles, "system"))).toBe("system-2-link");
    const valid = await nix(["nix", "path-info", "--store", `local?root=${root}`, "-r", gen1, gen2]);
    expect(valid.split("\n").filter(Boolean).sort()).toEqual([...new Set([...closure1, ...closure2])].sort());
    const loader = await readFile(join(root, "boot/loader/loader.conf"), "utf8");
    expect(loader).toContain("nixos-generation-2");
  });

  it("--dry-run prints every step and changes nothing", async () => {
    const fresh = await tempRoot();
    cleanup.push(fresh);
    // The example's systemd-boot installs into /boot, which a root must have (or be refused).
    await mkdir(join(fresh, "boot"));
    const before = await treeFingerprint(fresh);
    const run = await nixosVia(["install", `dir:${fresh}`, "--system", gen1, "--dry-run"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`install ${gen1}`);
    expect(run.stdout).toMatch(/\[copy\] copy \d+ store paths/);
    expect(run.stdout).toContain("--load-db");
    expect(run.stdout).toContain(`nixos-via-profile ${fresh}/nix/var/nix ${gen1} 1`);
    expect(run.stdout).toContain("nixos-via-profile is this script:");
    expect(run.stdout).toContain("switch-to-configuration boot");
    expect(run.stdout).toContain("nixos-via-receive is this script:");
    expect(await treeFingerprint(fresh)).toEqual(before);

    // Over an installed root it changes nothing either.
    const installedBefore = await treeFingerprint(root);
    const again = await nixosVia(["install", `dir:${root}`, "--system", gen1, "--dry-run", "--json"]);
    expect(again.exitCode).toBe(0);
    expect(events(again.stdout)[0]).toMatchObject({ type: "plan", dryRun: true });
    expect(await treeFingerprint(root)).toEqual(installedBefore);
  });

  it("reads and collects a root with this machine's Nix, never running the root's own nix-store", async () => {
    const own = await tempRoot();
    cleanup.push(own);
    await mkdir(join(own, "boot"));
    expect((await nixosVia(["install", `dir:${own}`, "--system", gen1])).exitCode).toBe(0);
    // What a container's root user could do: point the profile at a "system" of its own whose
    // nix-store runs as whoever reads the store through it.
    await mkdir(join(own, "evil/sw/bin"), { recursive: true });
    await writeFile(join(own, "evil/sw/bin/nix-store"), "#!/bin/sh\ntouch /pwned\nexit 0\n", { mode: 0o755 });
    await execa("ln", ["-sfn", "/evil", join(own, "nix/var/nix/profiles/system")]);
    expect(existsSync(join(own, "bin/sh"))).toBe(true);
    for (const args of [["generations", `dir:${own}`], ["gc", `dir:${own}`, "--keep", "1"], ["install", `dir:${own}`, "--system", gen1, "--dry-run"]]) {
      await nixosVia(args);
      expect(existsSync(join(own, "pwned")), args.join(" ")).toBe(false);
    }
  });

  describe("bad input gives one clear line, a non-zero exit, and changes nothing", () => {
    async function refuses(args: string[], pattern: RegExp, dir?: string): Promise<void> {
      const before = dir ? await treeFingerprint(dir) : [];
      const run = await nixosVia(args);
      expect(run.exitCode).not.toBe(0);
      expect(run.stdout).toBe("");
      const lines = run.stderr.split("\n").filter(Boolean);
      expect(lines[0]).toMatch(/^nixos-via: error: /);
      expect(lines[0]).toMatch(pattern);
      if (dir) expect(await treeFingerprint(dir)).toEqual(before);
    }

    it("a store path that does not exist", async () => {
      const dir = await tempRoot();
      cleanup.push(dir);
      await refuses(
        ["install", `dir:${dir}`, "--system", "/nix/store/00000000000000000000000000000000-nixos-system-gone"],
        /does not exist/,
        dir,
      );
    });

    it("a path that is not a system", async () => {
      const dir = await tempRoot();
      cleanup.push(dir);
      const busybox = (await closureOf(gen1)).find((p) => p.endsWith("-busybox-static"))!;
      await refuses(["install", `dir:${dir}`, "--system", busybox], /is not a NixOS system: it has no init, bin\/switch-to-configuration/, dir);
      await refuses(["install", `dir:${dir}`, "--system", dir], /is not a store path/, dir);
    });

    it("a target that is not a directory", async () => {
      const dir = await tempRoot();
      cleanup.push(dir);
      const file = join(dir, "file");
      await writeFile(file, "x");
      await refuses(["install", `dir:${file}`, "--system", gen1], /is not a directory/, dir);
      await refuses(["install", `dir:${dir}/missing`, "--system", gen1], /does not exist/, dir);
    });

    it("a target that is not writable", async () => {
      const dir = await tempRoot();
      cleanup.push(dir);
      // Root may write anywhere, so a read-only bind mount is what makes a directory unwritable.
      await execa("mount", ["--bind", dir, dir]);
      await execa("mount", ["-o", "remount,bind,ro", dir]);
      try {
        await refuses(["install", `dir:${dir}`, "--system", gen1], /is not writable/, dir);
      } finally {
        await execa("umount", [dir]);
      }
    });

    it("a root with the wrong mode", async () => {
      const dir = await tempRoot();
      cleanup.push(dir);
      await chmod(dir, 0o700);
      await refuses(["install", `dir:${dir}`, "--system", gen1], /mode 0700; a system root must be owned by root with mode 0755/, dir);
    });

    it("dir:/", async () => {
      await refuses(["install", "dir:/", "--system", gen1], /this machine's own root/);
    });

    it("this machine's system folders, also through a symlink", async () => {
      await refuses(["install", "dir:/etc", "--system", gen1], /is this machine's own \/etc;/);
      await refuses(["generations", "dir:/var"], /is this machine's own \/var;/);
      await refuses(["install", "dir:/nix/var/nix", "--system", gen1], /is inside this machine's own \/nix;/);
      const dir = await tempRoot();
      cleanup.push(dir);
      await symlink("/usr", join(dir, "usr-link"));
      await refuses(["deploy", `dir:${dir}/usr-link`, "--system", gen1], /is this machine's own \/usr \(.*usr-link leads to \/usr\)/);
    });

    it("a missing --extra-files folder, before anything is copied", async () => {
      const dir = await tempRoot();
      cleanup.push(dir);
      await refuses(["install", `dir:${dir}`, "--system", gen1, "--extra-files", join(dir, "missing")], /--extra-files .*missing does not exist/, dir);
      await writeFile(join(dir, "file"), "x");
      await refuses(["install", `dir:${dir}`, "--system", gen1, "--extra-files", join(dir, "file")], /is not a folder/, dir);
    });

    it("ssh:// with --root / or a relative --root, before connecting", async () => {
      await refuses(["install", "ssh://root@127.0.0.1:1", "--root", "/", "--system", gen1], /--root \/ would install over the running system .*nixos-via deploy/);
      await refuses(["install", "ssh://root@127.0.0.1:1", "--root", "//", "--system", gen1], /--root \/ would install over/);
      await refuses(["install", "ssh://root@127.0.0.1:1", "--root", "mnt", "--system", gen1], /--root mnt: give an absolute path/);
    });

    it("usage errors exit with 2", async () => {
      const none = await nixosVia(["install", "dir:/tmp"]);
      expect(none.exitCode).toBe(2);
      expect(none.stderr).toMatch(/exactly one of --system PATH or --flake REF#NAME/);
      const scheme = await nixosVia(["install", "ftp://x", "--system", gen1]);
      expect(scheme.exitCode).toBe(2);
      expect(scheme.stderr).toMatch(/is not a target/);
      const unknown = await nixosVia(["install", "--bogus"]);
      expect(unknown.exitCode).toBe(2);
    });
  });

  it("--help works on every command", async () => {
    for (const args of [["--help"], ["install", "--help"], ["help", "install"]]) {
      const run = await nixosVia(args);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain("Usage: nixos-via");
    }
  });
});
