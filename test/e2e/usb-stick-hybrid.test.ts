import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { assignedVariables, guideBlock, guideShell, writeSshConfig } from "../support/guide.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { bootRescue, buildRescue, OVMF } from "../support/rescue.js";
import { freePort } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const GUIDE = "usb-stick.md";

// The guide docs/guides/usb-stick.md, run as written: one stick image with the hybrid
// layout and the example system's boot=hybrid boots to "generation 1 up" under SeaBIOS
// and under OVMF, no NVRAM entry made. This machine kind's kernel cannot mount vfat (the
// ESP), so the guide's install command writes the stick from a rescue system in QEMU
// (target=ssh://…, the stick its /dev/vda). Every run: it is the only proof of the hybrid
// loaders, and costs one install and two boots (~2.5 min under TCG).
describe("a USB stick made as docs/guides/usb-stick.md says boots under BIOS and UEFI", () => {
  const workspace = useVmWorkspace("nixos-via-guides-stick-");

  it("the same image boots to 'generation 1 up' under SeaBIOS and under OVMF", { timeout: 900_000 }, async () => {
    const work = workspace.dir();
    const rescueSystem = await buildRescue(work);
    const { client, hostKey } = rescueSystem;
    const stick = join(work, "stick.img");
    await execa("truncate", ["-s", "1G", stick]);
    const system = await buildMiniSystem({ generation: "1", boot: "hybrid", authorizedKeys: client.pub });
    const port = await freePort();

    const shell = await guideShell(work);
    await writeSshConfig(shell, { "rescue-vm": { port, key: client.key } });
    await writeFile(join(shell.home, ".ssh/known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);
    const settings = await guideBlock(GUIDE, /^stick=/m);
    const values = { stick: "/dev/vda", target: "ssh://rescue-vm", system, layout: "examples/layouts/hybrid-bios-uefi.json" };
    expect(assignedVariables(settings).sort()).toEqual(Object.keys(values).sort());

    const rescueVm = await bootRescue(rescueSystem, { disks: [stick], sshPort: port, serialLog: join(work, "rescue.log"), track: workspace.track });

    const dryRun = await shell.run(await guideBlock(GUIDE, /--dry-run/), values);
    expect(dryRun.exitCode, String(dryRun.stderr)).toBe(0);
    expect(String(dryRun.stdout)).toMatch(/create partition 2 \(disk-main-ESP\) on disk main, legacy BIOS bootable/);
    expect(String(dryRun.stdout)).toContain("mkfs.ext4 -F -L nixos");

    // The install reboots the rescue VM (-no-reboot: QEMU ends) and waits for the machine
    // to answer running the new system: the stick then boots on the same forwarded port.
    const install = shell.run(await guideBlock(GUIDE, /^nixos-via install .*"\$system"$/m), values);
    await rescueVm.exited();
    const bios = workspace.track(startVm({ disks: [stick], sshPort: port, serialLog: join(work, "bios.log") }));
    const installed = await install;
    expect(installed.exitCode, `${String(installed.stderr)}\n${String(installed.stdout).slice(-3000)}`).toBe(0);
    const biosLog = await bios.waitFor(/nixos-via-example: generation 1 up/, 120_000);
    expect(biosLog).toContain("SYSLINUX");
    expect(biosLog).toMatch(/stage-1: root is \/dev\/vda3/);
    await bios.stop();

    const vars = join(work, "vars.fd");
    await copyFile(OVMF.vars, vars);
    const uefi = workspace.track(startVm({ disks: [stick], firmware: { code: OVMF.code, vars }, serialLog: join(work, "uefi.log") }));
    const uefiLog = await uefi.waitFor(/nixos-via-example: generation 1 up/, 180_000);
    expect(uefiLog).not.toContain("SYSLINUX");
    expect(uefiLog).toMatch(/stage-2: mounted \/dev\/vda2 on \/boot/);
    await uefi.stop();
  });
});
