import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CHROOT_WORKS, fakeNixStore, fakeNixStoreCalls, rootNixStore } from "../../test/support/fakeNixStore.js";
import { runScript, TARGET_SHELLS, toolFolder, which } from "../../test/support/targetShells.js";
import { formatManifest } from "../closure/markPathBoundaries.js";
import { PROBE_SCRIPT, parseProbeOutput } from "./probeTarget.js";

const S = (name: string): string => `/nix/store/${name}`;
const HAVE = S("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-glibc-2.39");
const STAGED = S("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-bash-5.2");
const CUT = S("cccccccccccccccccccccccccccccccc-kernel");
const PATHS = [HAVE, STAGED, CUT];
// What the probe needs besides the tools it reports; busybox ash has them as applets.
const NEEDS = ["uname", "readlink", "xargs", "grep", "sed", "find", "wc", "cat", "awk", "ls", "sh"];
// A registered earlier build of glibc (same name, other hash), and an unregistered one.
const OLD = S("dddddddddddddddddddddddddddddddd-glibc-2.38");
const GONE = S("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-glibc-2.39");
// An ELF file the kernel cannot execute (ENOEXEC), as another machine kind's programs.
const FOREIGN = "\x7fELF, of another machine\n";

for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available)(`PROBE_SCRIPT under ${shell.name}, on a root with a database`, () => {
    let base: string;
    let root: string;
    let bin: string;
    let nixStore: (dir: string) => string;
    beforeEach(() => {
      base = mkdtempSync(join(tmpdir(), "nixos-via-probe-"));
      root = join(base, "root");
      mkdirSync(join(root, "nix/var/nix/db"), { recursive: true });
      writeFileSync(join(root, "nix/var/nix/db/db.sqlite"), "");
      // Two paths an interrupted copy left staged: one whole, one whose file was cut short.
      const incoming = join(root, "nix/store/.nixos-via-incoming");
      for (const [path, bytes] of [[STAGED, 5], [CUT, 3]] as const) {
        const name = path.slice("/nix/store/".length);
        mkdirSync(join(incoming, name, "bin"), { recursive: true });
        writeFileSync(join(incoming, name, "bin", "tool"), "x".repeat(bytes));
        mkdirSync(join(incoming, ".done"), { recursive: true });
        writeFileSync(join(incoming, ".done", name), formatManifest({ files: 1, bytes: 5, links: 0, dirs: 2 }));
      }
      nixStore = (dir) => fakeNixStore(dir, [HAVE, OLD].map((path) => ({ path, narHash: `sha256:${"ab".repeat(32)}`, narSize: 1, references: [] })), {});
      for (const p of [OLD, GONE]) mkdirSync(join(root, p));
      bin = toolFolder(join(base, "bin"), NEEDS, { "nix-store": nixStore(join(base, "nix")), tar: "exit 0\n" });
    });
    afterEach(() => rmSync(base, { recursive: true, force: true }));

    const probe = (env: Record<string, string> = {}) => {
      const r = runScript(shell, PROBE_SCRIPT, "nixos-via-probe", [root, "tar", "nix-store", "no-such-tool"], {
        env: { PATH: bin, ...env },
        input: `${PATHS.join("\n")}\n`,
      });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };

    it("asks the chosen nix-store which paths are invalid, and trusts only the staged path that matches its manifest", () => {
      const facts = parseProbeOutput(probe({ NIXOS_VIA_NIX_STORE: "host" }), PATHS)._unsafeUnwrap();
      expect(facts.hasNixDb).toBe(true);
      expect(facts.registered).toEqual(new Set([HAVE]));
      expect(facts.staged).toEqual(new Set([STAGED]));
      expect(facts.tools).toEqual(new Set(["tar", "nix-store"]));
      expect(facts.filesystems.size).toBeGreaterThan(0);
      expect(facts.predecessors).toEqual(new Set([OLD]));
      // This machine's own /proc/meminfo: what the copy's compression window is fitted to.
      const available = /^MemAvailable: *(\d+) kB$/m.exec(readFileSync("/proc/meminfo", "utf8"))![1]!;
      expect(Math.abs(facts.memAvailable! - Number(available) * 1024)).toBeLessThan(2 ** 30);
      const asked = readFileSync(join(base, "nix/calls"), "utf8");
      expect(asked.startsWith(`--store local?root=${root} --check-validity --print-invalid ${PATHS.join(" ")} `)).toBe(true);
      expect(asked.trim().split(" ").slice(-2).sort()).toEqual([OLD, GONE].sort());
    });

    it("leaves out the kernel's file systems and features when asked to (no layout needs them), and nothing else", () => {
      const facts = parseProbeOutput(probe({ NIXOS_VIA_NIX_STORE: "host", NIXOS_VIA_PROBE_KERNEL: "skip" }), PATHS)._unsafeUnwrap();
      expect(facts.filesystems.size).toBe(0);
      expect(facts.kernelFeatures.size).toBe(0);
      expect(facts.registered).toEqual(new Set([HAVE]));
      expect(facts.staged).toEqual(new Set([STAGED]));
      expect(facts.predecessors).toEqual(new Set([OLD]));
    });

    it("uses a nix-store on the target's PATH, pointed at the root, when the root has none that runs", () => {
      const facts = parseProbeOutput(probe(), PATHS)._unsafeUnwrap();
      expect(facts.registered).toEqual(new Set([HAVE]));
      expect(readFileSync(join(base, "nix/calls"), "utf8")).toContain(`--store local?root=${root} --check-validity`);
    });

    it("reports the running system beside the profile: a switch cut after the profile step left them apart", () => {
      const profiles = join(root, "nix/var/nix/profiles");
      mkdirSync(profiles, { recursive: true });
      symlinkSync(OLD, join(profiles, "system-2-link"));
      symlinkSync(HAVE, join(profiles, "system-3-link"));
      symlinkSync("system-3-link", join(profiles, "system"));
      mkdirSync(join(root, "run"));
      symlinkSync(OLD, join(root, "run/current-system"));
      const facts = parseProbeOutput(probe({ NIXOS_VIA_NIX_STORE: "host", NIXOS_VIA_PROBE_KERNEL: "skip" }), PATHS)._unsafeUnwrap();
      expect(facts.currentGeneration).toBe(3);
      expect(facts.runningSystem).toBe(OLD);
    });

    it("reports a database that no nix-store can read as a failed probe", () => {
      rmSync(join(bin, "nix-store"));
      const out = probe();
      expect(out).toContain("error=the target has a Nix database but no nix-store to read it with\n");
      expect(parseProbeOutput(out, PATHS)._unsafeUnwrapErr().message).toBe("the target has a Nix database but no nix-store to read it with");
    });

    // The root's own Nix, run by the real chroot: the system's nix-store as NixOS links it.
    describe.skipIf(!CHROOT_WORKS)("with the root's own nix-store", () => {
      const calls = fakeNixStoreCalls;
      beforeEach(() => symlinkSync(which("chroot")!, join(bin, "chroot")));

      it("asks the root's nix-store, started once: no start just to see that it runs", () => {
        rootNixStore(root, { script: nixStore(join(root, "fake")) });
        const facts = parseProbeOutput(probe(), PATHS)._unsafeUnwrap();
        expect(facts.registered).toEqual(new Set([HAVE]));
        expect(facts.predecessors).toEqual(new Set([OLD]));
        expect(calls(join(root, "fake"))).toEqual([expect.stringMatching(/^--check-validity --print-invalid /)]);
        expect(calls(join(base, "nix"))).toEqual([]);
      });

      it.each<[string, { file?: string }]>([
        ["a link to a Nix package the root does not have", {}],
        ["an ELF interpreter the root does not have (the kernel says ENOENT, chroot exits 127)", { file: "#!/nix/store/ffffffffffffffffffffffffffffffff-glibc-2.39/lib/ld-linux-x86-64.so.2\n" }],
        ["another machine kind's program, and /bin/sh (chroot exits 126)", { file: FOREIGN }],
      ])("falls back to this machine's nix-store, pointed at the root, when the root's cannot run: %s", (_, program) => {
        rootNixStore(root, program);
        if (program.file === FOREIGN) writeFileSync(join(root, "bin/sh"), FOREIGN);
        const facts = parseProbeOutput(probe(), PATHS)._unsafeUnwrap();
        expect(facts.registered).toEqual(new Set([HAVE]));
        expect(facts.predecessors).toEqual(new Set([OLD]));
        expect(calls(join(base, "nix"))).toEqual([expect.stringMatching(new RegExp(`^--store local\\?root=${root} --check-validity --print-invalid `))]);
      });

      it("reports a root whose nix-store cannot run, on a machine without one, with the one error line", () => {
        rootNixStore(root, {});
        rmSync(join(bin, "nix-store"));
        const out = probe();
        expect(out.split("\n").find((l) => l.startsWith("error="))).toBe("error=the target has a Nix database but no nix-store to read it with");
        expect(parseProbeOutput(out, PATHS)._unsafeUnwrapErr().message).toBe("the target has a Nix database but no nix-store to read it with");
      });

      it("reports the root's nix-store failing to read the database, without asking this machine's", () => {
        rootNixStore(root, { script: "[ \"$1\" = --version ] && exit 0\necho 'error: database disk image is malformed' >&2\nexit 1\n" });
        expect(parseProbeOutput(probe(), PATHS)._unsafeUnwrapErr().message).toBe("nix-store could not read the target database");
        expect(calls(join(base, "nix"))).toEqual([]);
      });
    });
  });
}
