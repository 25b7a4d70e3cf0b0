import { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHROOT_WORKS, fakeNixStore, fakeNixStoreCalls, rootNixStore } from "../../test/support/fakeNixStore.js";
import { runScript, TARGET_SHELLS, toolFolder, which } from "../../test/support/targetShells.js";
import type { StorePathInfo } from "../closure/StorePathInfo.js";
import { GENERATIONS_SCRIPT, parseGenerations, planGc } from "./generations.js";
import { CURRENT_CLOSURE_SCRIPT } from "./readCurrentClosure.js";

const info = (name: string, narSize: number, references: string[] = []): StorePathInfo => ({
  path: `/nix/store/${name}`,
  narHash: `sha256:${"ab".repeat(32)}`,
  narSize,
  references,
});
const GLIBC = info("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-glibc-2.39", 30_000_000);
const OLD = info("11111111111111111111111111111111-nixos-system-web-24.05", 1000, [GLIBC.path]);
const NEW = info("22222222222222222222222222222222-nixos-system-web-24.11", 2000, [GLIBC.path]);
// What a target's scripts need besides nix-store; busybox ash has them as applets.
const TOOLS = ["readlink", "stat", "xargs", "mkdir", "ln", "cat", "grep", "sh"];

const nixStore = (dir: string): string =>
  fakeNixStore(dir, [GLIBC, OLD, NEW], { [OLD.path]: [GLIBC.path, OLD.path], [NEW.path]: [GLIBC.path, NEW.path] });

for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available)(`the store-reading scripts under ${shell.name}, with a fake nix-store`, () => {
    let base: string;
    let root: string;
    let bin: string;
    beforeEach(() => {
      base = mkdtempSync(join(tmpdir(), "nixos-via-generations-"));
      root = join(base, "root");
      const profiles = join(root, "nix/var/nix/profiles");
      mkdirSync(profiles, { recursive: true });
      mkdirSync(join(root, "nix/var/nix/db"));
      writeFileSync(join(root, "nix/var/nix/db/db.sqlite"), "");
      symlinkSync(OLD.path, join(profiles, "system-1-link"));
      symlinkSync(NEW.path, join(profiles, "system-2-link"));
      symlinkSync("system-2-link", join(profiles, "system"));
      bin = toolFolder(join(base, "bin"), TOOLS, { "nix-store": nixStore(join(base, "nix")) });
    });
    afterEach(() => rmSync(base, { recursive: true, force: true }));

    const calls = (dir = join(base, "nix")) => fakeNixStoreCalls(dir);
    const run = (script: string, name: string, args: string[], env: Record<string, string> = {}) => {
      const r = runScript(shell, script, name, args, { env: { PATH: bin, NIXOS_VIA_NIX_STORE: "host", ...env } });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };

    it("GENERATIONS_SCRIPT lists each generation with its date and closure, read with the chosen nix-store", () => {
      const generations = parseGenerations(run(GENERATIONS_SCRIPT, "nixos-via-generations", [root]))._unsafeUnwrap();
      expect(generations.map(({ number, toplevel, closureBytes, current }) => ({ number, toplevel, closureBytes, current }))).toEqual([
        { number: 1, toplevel: OLD.path, closureBytes: 30_001_000, current: false },
        { number: 2, toplevel: NEW.path, closureBytes: 30_002_000, current: true },
      ]);
      expect(generations[0]!.date.getTime()).toBeGreaterThan(Date.now() - 600_000);
      expect(calls()).toContain(`--store local?root=${root} --query --requisites ${OLD.path}`);
      expect(calls()).toContain(`--store local?root=${root} --dump-db ${GLIBC.path} ${NEW.path}`);
    });

    it("GENERATIONS_SCRIPT without a database names the current generation and asks no Nix", () => {
      rmSync(join(root, "nix/var/nix/db"), { recursive: true });
      expect(run(GENERATIONS_SCRIPT, "nixos-via-generations", [root])).toBe(`current system-2-link\n`);
    });

    const gcStep = () => planGc({ root, capabilities: { root: false, remote: false, hostNix: false, running: false } }, [], {}).steps.at(-1)!.argv;

    it("the gc step on a machine without nix-store fails, saying so on stderr", () => {
      rmSync(join(bin, "nix-store"));
      const [, , script, name, ...args] = gcStep();
      const r = runScript(shell, script!, name!, args, { env: { PATH: bin, NIXOS_VIA_NIX_STORE: "host" } });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("this machine has no nix-store to read the root with (install Nix)");
    });

    it("GENERATIONS_SCRIPT reports a machine without nix-store as error=, which parseGenerations turns into an error", () => {
      rmSync(join(bin, "nix-store"));
      const out = run(GENERATIONS_SCRIPT, "nixos-via-generations", [root]);
      expect(parseGenerations(out)._unsafeUnwrapErr().message).toBe("this machine has no nix-store to read the root with (install Nix)");
    });

    it("CURRENT_CLOSURE_SCRIPT follows the relative system link and prints the closure's records", () => {
      const out = run(CURRENT_CLOSURE_SCRIPT, "nixos-via-current", [root]);
      const [first, ...rest] = out.split("\n");
      expect(first).toBe("closure");
      expect(rest.join("\n")).toContain(`${NEW.path}\n`);
      expect(calls()).toEqual([`--store local?root=${root} --query --requisites ${NEW.path}`, `--store local?root=${root} --dump-db ${GLIBC.path} ${NEW.path}`]);
    });

    it("CURRENT_CLOSURE_SCRIPT says none for a root without a database", () => {
      rmSync(join(root, "nix/var/nix/db"), { recursive: true });
      expect(run(CURRENT_CLOSURE_SCRIPT, "nixos-via-current", [root])).toBe("none\n");
    });

    it("the gc step makes the profiles a GC root, then collects with the chosen nix-store", () => {
      const { steps } = planGc({ root, capabilities: { root: false, remote: false, hostNix: true, running: false } }, [], {});
      const gc = steps.at(-1)!;
      const [, , script, name, ...args] = gc.argv;
      run(script!, name!, args, { ...gc.env });
      expect(readlinkSync(join(root, "nix/var/nix/gcroots/profiles"))).toBe("/nix/var/nix/profiles");
      expect(calls()).toEqual([`--store local?root=${root} --gc`]);
    });

    // The root's own Nix, run by the real chroot: the system's nix-store as NixOS links it.
    describe.skipIf(!CHROOT_WORKS)("with the root's own nix-store", () => {
      const own = { NIXOS_VIA_NIX_STORE: "" };
      beforeEach(() => symlinkSync(which("chroot")!, join(bin, "chroot")));

      it("CURRENT_CLOSURE_SCRIPT starts it once a call, and none just to see that it runs", () => {
        rootNixStore(root, { script: nixStore(join(root, "fake")) });
        expect(run(CURRENT_CLOSURE_SCRIPT, "nixos-via-current", [root], own)).toContain(`closure\n${GLIBC.path}\n`);
        expect(calls(join(root, "fake"))).toEqual([`--query --requisites ${NEW.path}`, `--dump-db ${GLIBC.path} ${NEW.path}`]);
        expect(calls()).toEqual([]);
      });

      it("GENERATIONS_SCRIPT and the gc step fall back to this machine's nix-store when the root's cannot run", () => {
        rootNixStore(root, {});
        const generations = parseGenerations(run(GENERATIONS_SCRIPT, "nixos-via-generations", [root], own))._unsafeUnwrap();
        expect(generations.map((g) => g.closureBytes)).toEqual([30_001_000, 30_002_000]);
        const [, , script, name, ...args] = gcStep();
        run(script!, name!, args, own);
        expect(calls().filter((c) => !c.includes(" --query "))).toEqual([
          `--store local?root=${root} --dump-db ${GLIBC.path} ${OLD.path}`,
          `--store local?root=${root} --dump-db ${GLIBC.path} ${NEW.path}`,
          `--store local?root=${root} --gc`,
        ]);
      });

      it("CURRENT_CLOSURE_SCRIPT reports a root whose nix-store cannot run, on a machine without one, with the one error line first", () => {
        rootNixStore(root, {});
        rmSync(join(bin, "nix-store"));
        expect(run(CURRENT_CLOSURE_SCRIPT, "nixos-via-current", [root], own).split("\n")[0]).toBe("error=the target has a Nix database but no nix-store to read it with");
      });

      it("the gc step fails, saying so on stderr, where the root's nix-store cannot run and this machine has none", () => {
        rootNixStore(root, {});
        rmSync(join(bin, "nix-store"));
        const [, , script, name, ...args] = gcStep();
        const r = runScript(shell, script!, name!, args, { env: { PATH: bin, ...own } });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("the target has a Nix database but no nix-store to read it with");
        expect(r.stdout).toBe("");
      });
    });
  });
}
