import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript, TARGET_SHELLS } from "../../test/support/targetShells.js";
import { layoutArgv } from "./layoutScript.js";

const work = mkdtempSync(join(tmpdir(), "nixos-via-layout-script-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Partitions need real disks (test/e2e): what runs here is the script's own logic, with
// commands that touch nothing.
for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available)(`the layout script under ${shell.name}`, () => {
    const layout = (mode: string, args: string[]) => {
      const [, , script, name, ...rest] = layoutArgv(mode, args);
      return runScript(shell, script!, name!, rest, { env: { PATH: process.env.PATH ?? "" } });
    };

    it("runs a command whose arguments name no partition as it is", () => {
      const r = layout("run", ["printf", "%s|", "a b", "", "@partition-like"]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("a b||@partition-like|");
    });

    it("gives a password file's content, without trailing newlines, on stdin and never in argv", () => {
      const file = join(work, `password-${shell.id}`);
      writeFileSync(file, "se cret\n\n");
      const r = layout("run-with-password", [file, "sh", "-c", 'printf "[%s]" "$(cat)"; echo " $#"', "x"]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("[se cret] 0\n");
      const missing = layout("run-with-password", [join(work, "nope"), "true"]);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe(`nixos-via-layout: cannot read ${join(work, "nope")} on the target\n`);
    });

    it("undoes nothing that is not there: an unmounted folder, a closed LUKS name, an inactive group, a stopped array", () => {
      for (const [mode, arg] of [["unmount", work], ["close", "nixos-via-test-nothing"], ["deactivate", "nixos-via-test-vg"], ["stop", "nixos-via-test-md"]] as const) {
        const r = layout(mode, [arg]);
        expect(r.status, `${mode}: ${r.stderr}`).toBe(0);
      }
    });

    it("unmounts a mountpoint whose name /proc/mounts escapes (spaces, a backslash)", () => {
      const dir = join(work, `name with spaces\\and\\040-${shell.id}`);
      mkdirSync(dir);
      execFileSync("mount", ["-t", "tmpfs", "none", dir]);
      try {
        const r = layout("unmount", [dir]);
        expect(r.status, r.stderr).toBe(0);
        expect(readFileSync("/proc/self/mounts", "utf8")).not.toContain(`-${shell.id} `);
      } finally {
        execFileSync("sh", ["-c", 'umount "$1" 2>/dev/null || true', "sh", dir]);
      }
    });

    it("refuses an unknown mode", () => {
      const r = layout("format-everything", []);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe("nixos-via-layout: unknown mode format-everything\n");
    });
  });
}
