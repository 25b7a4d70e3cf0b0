import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TARGET_SHELLS } from "../../test/support/targetShells.js";
import { ENTER_SCRIPT, enterArgv } from "./enterScript.js";

// The enter script makes namespaces and mounts. Inside a user namespace (no privilege on
// this machine) it does all of it for real; a static busybox stands in for the system.
const BUSYBOX = "/bin/busybox";
const userNamespaces = spawnSync("unshare", ["--user", "--map-root-user", "true"]).status === 0;
const staticBusybox = existsSync(BUSYBOX) && !/dynamically/.test(spawnSync("file", [BUSYBOX], { encoding: "utf8" }).stdout ?? "");

for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available || !userNamespaces || !staticBusybox)(`ENTER_SCRIPT under ${shell.name}, in a user namespace`, () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), "nixos-via-enter-"));
      mkdirSync(join(root, "bin"));
      copyFileSync(BUSYBOX, join(root, "bin/busybox"));
      spawnSync("chmod", ["0755", join(root, "bin/busybox"), root]);
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const enter = (activate: string | undefined, argv: readonly string[], env: Record<string, string> = {}) => {
      const [, , script, name, ...args] = enterArgv(root, activate, argv);
      expect(script).toBe(ENTER_SCRIPT);
      return spawnSync("unshare", ["--user", "--map-root-user", "--", ...shell.argv, "-c", script!, name!, ...args], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", ...env },
      });
    };

    it("runs the command chrooted, with its own /proc, /dev and /sys from the host, and the system's PATH", () => {
      const r = enter(undefined, ["/bin/busybox", "sh", "-c", 'echo "$PATH"; echo $$; [ -c /dev/null ] && [ -d /sys/class ] && echo devices; echo x > /run/left; ls /']);
      expect(r.status, r.stderr).toBe(0);
      const [path, pid, devices] = r.stdout.split("\n");
      expect(path).toBe("/run/current-system/sw/bin");
      // PID 1 of a new PID namespace: the command replaced the shell that mounted /proc.
      expect(pid).toBe("1");
      expect(devices).toBe("devices");
      // The mounts went with the namespace: nothing is left in the root, not even in /run.
      for (const dir of ["dev", "proc", "sys", "run"]) expect(readdirSync(join(root, dir))).toEqual([]);
    });

    it("activates first, with IN_NIXOS_ENTER=1, and marks the root when asked", () => {
      writeFileSync(join(root, "activate"), '#!/bin/busybox sh\necho "activated $IN_NIXOS_ENTER" > /activated\n', { mode: 0o755 });
      const r = enter("/activate", ["/bin/busybox", "cat", "/activated"], { NIXOS_VIA_MARK_ROOT: "1" });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("activated 1\n");
      expect(readFileSync(join(root, "etc/NIXOS"), "utf8")).toBe("");
      expect(readlinkSync(join(root, "etc/mtab"))).toBe("/proc/mounts");
    });

    it("stops with the activation's failure, before the command runs", () => {
      writeFileSync(join(root, "activate"), "#!/bin/busybox sh\nexit 3\n", { mode: 0o755 });
      const r = enter("/activate", ["/bin/busybox", "touch", "/ran"]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("nixos-via: the activation script /activate failed");
      expect(existsSync(join(root, "ran"))).toBe(false);
      expect(existsSync(join(root, "etc/NIXOS"))).toBe(false);
    });
  });
}
