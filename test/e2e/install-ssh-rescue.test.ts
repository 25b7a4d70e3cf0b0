import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { assignedVariables, guideBlock, guideShell, writeSshConfig } from "../support/guide.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { bootRescue, buildRescue, OVMF } from "../support/rescue.js";
import { freePort } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const GUIDE = "vps-from-rescue.md";

// The whole story of install-via-ssh, as docs/guides/vps-from-rescue.md tells it and with
// its commands: a 512 MiB machine in its rescue system (no Nix, no kexec) gets a UEFI
// layout and the example system over SSH, reboots, comes back from its own disk under
// OVMF, and the installer sees it answer running the new system.
describe("install ssh:// from a rescue system", () => {
  const workspace = useVmWorkspace("nixos-via-rescue-");

  it("installs, reboots into the new system, and waits for it", async () => {
    const work = workspace.dir();
    const rescueSystem = await buildRescue(work);
    const { client, hostKey } = rescueSystem;
    const disk = join(work, "disk.img");
    await execa("truncate", ["-s", "2G", disk]);
    const toplevel = await buildMiniSystem({ generation: "1", boot: "uefi", authorizedKeys: client.pub });
    const port = await freePort();

    const rescueVm = await bootRescue(rescueSystem, { disks: [disk], sshPort: port, serialLog: join(work, "rescue.log"), track: workspace.track });

    const shell = await guideShell(work);
    await writeSshConfig(shell, { "rescue-vm": { port, key: client.key } });
    const knownHosts = join(shell.home, ".ssh/known_hosts");
    const settings = await guideBlock(GUIDE, /^host=/m);
    const values = { host: "rescue-vm", disk: "/dev/vda", layout: "examples/layouts/uefi-ext4.json", system: toplevel };
    expect(assignedVariables(settings).sort()).toEqual(Object.keys(values).sort());

    // First contact: refused, with the fingerprint the reader compares with the panel's.
    const fingerprint = (await execa("ssh-keygen", ["-lf", join(work, "hostkeys/ssh_host_ed25519_key.pub")])).stdout.split(" ")[1]!;
    const unknown = await shell.run(await guideBlock(GUIDE, /--dry-run$/m), values);
    expect(unknown.exitCode).not.toBe(0);
    expect(String(unknown.stderr)).toContain(`presented an unknown host key ${fingerprint}`);
    const trusted = await shell.run(await guideBlock(GUIDE, /--dry-run --accept-new-host-key$/m), values);
    expect(trusted.exitCode, String(trusted.stderr)).toBe(0);
    expect(String(trusted.stdout)).toContain("wait until the machine answers running the new system");

    const install = shell.run(await guideBlock(GUIDE, /"\$system"$/m), values);

    // The rescue VM runs with -no-reboot: the installer's reboot ends it, and the machine
    // comes back from its disk with UEFI firmware, on the same forwarded port.
    await rescueVm.exited();
    const vars = join(work, "vars.fd");
    await copyFile(OVMF.vars, vars);
    const installed = startVm({
      disks: [disk],
      firmware: { code: OVMF.code, vars },
      memoryMiB: 512,
      sshPort: port,
      serialLog: join(work, "installed.log"),
    });
    workspace.track(installed);

    const result = await install;
    expect(result.exitCode, `${String(result.stderr)}\n${String(result.stdout).slice(-4000)}`).toBe(0);
    const log = await installed.waitFor(/nixos-via-example: generation 1 up/, 60_000);
    expect(log).toContain("nixos-via-example: generation 1 up");
    expect(String(result.stdout)).toMatch(/generation 1/);
    // known_hosts holds the rescue system's key (accepted on first use) and the new
    // system's, learnt over the trusted connection before the reboot: nothing else.
    const rescueKey = hostKey.split(" ")[1]!;
    const lines = (await readFile(knownHosts, "utf8")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`[127.0.0.1]:${port} ${hostKey}`);
    expect(lines[1]).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 `));
    expect(lines[1]).not.toContain(rescueKey);
  });
});
