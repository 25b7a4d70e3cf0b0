import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScript, TARGET_SHELLS, toolFolder } from "../../test/support/targetShells.js";
import { planReadHostKey } from "./planInstallExtras.js";

// Copying this machine's host keys reads /etc/ssh as root, and the reboot reboots: only the
// host-key reader runs here.
for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available)(`the read-host-key step under ${shell.name}`, () => {
    let base: string;
    let root: string;
    beforeEach(() => {
      base = mkdtempSync(join(tmpdir(), "nixos-via-host-key-"));
      root = join(base, "root");
      mkdirSync(root);
    });
    afterEach(() => rmSync(base, { recursive: true, force: true }));

    const readHostKey = (fakes: Record<string, string>) => {
      const [step] = planReadHostKey(root, { readHostKey: true });
      const [, , script, name, ...args] = step!.argv;
      const bin = toolFolder(join(base, "bin"), ["mkdir", "cat"], fakes);
      return runScript(shell, script!, name!, args, { env: { PATH: bin } });
    };

    it("prints the new system's public host key when it has one", () => {
      mkdirSync(join(root, "etc/ssh"), { recursive: true });
      writeFileSync(join(root, "etc/ssh/ssh_host_ed25519_key.pub"), "ssh-ed25519 AAAAkept\n");
      writeFileSync(join(root, "etc/ssh/ssh_host_ed25519_key"), "private\n");
      const r = readHostKey({});
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("ssh-ed25519 AAAAkept\n");
    });

    it("makes one with ssh-keygen when there is none, in a new etc/ssh", () => {
      const r = readHostKey({ "ssh-keygen": 'for f do key=$f; done\necho "$*" > "$key.args"\necho private > "$key"\necho "ssh-ed25519 AAAAnew" > "$key.pub"\n' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("ssh-ed25519 AAAAnew\n");
      const key = join(root, "etc/ssh/ssh_host_ed25519_key");
      expect(readFileSync(`${key}.args`, "utf8")).toBe(`-q -t ed25519 -N  -C  -f ${key}\n`);
      expect(statSync(join(root, "etc/ssh")).mode & 0o777).toBe(0o755);
    });

    it("fails with what to do when there is neither a key nor ssh-keygen", () => {
      const r = readHostKey({});
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("there is no ssh-keygen to make one; pass --copy-host-keys or --no-reboot");
    });
  });
}
