import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { nixosVia } from "../support/cli.js";
import { assignedVariables, guideBlock, guideShell, writeSshConfig } from "../support/guide.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { freePort, keyPair } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const GUIDE = "clone-running-machine.md";

// The guide docs/guides/clone-running-machine.md, run as written: the example system runs
// in QEMU from /dev/vda with an empty /dev/vdb; the guide's commands install the system it
// runs onto /dev/vdb over SSH while it runs. Named instead, /dev/vda (the running root) is
// refused before any step. Then /dev/vdb boots alone under SeaBIOS. Every run: the only
// proof that an install onto a live machine's second disk works (~2.5 min under TCG).
describe("a running machine cloned as docs/guides/clone-running-machine.md says", () => {
  const workspace = useVmWorkspace("nixos-via-guides-clone-");

  it("refuses the running disk, clones onto the second one, and the clone boots alone", { timeout: 900_000 }, async () => {
    const work = workspace.dir();
    const client = await keyPair(work, "client");
    const system = await buildMiniSystem({ generation: "1", boot: "bios", diskTools: "1", authorizedKeys: client.pub });

    // The running machine: the example system installed into a folder, made an ext4 disk.
    const root = join(work, "root");
    await mkdir(root, { mode: 0o755 });
    const installed = await nixosVia(["install", `dir:${root}`, "--system", system]);
    expect(installed.exitCode, installed.stderr).toBe(0);
    const running = join(work, "running.img");
    await execa("mkfs.ext4", ["-q", "-F", "-d", root, running, "1G"]);
    const second = join(work, "second.img");
    await execa("truncate", ["-s", "1G", second]);

    const port = await freePort();
    const shell = await guideShell(work);
    await writeSshConfig(shell, { machine: { port, key: client.key } });
    const hostKey = (await readFile(join(root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8")).split(" ").slice(0, 2).join(" ");
    await writeFile(join(shell.home, ".ssh/known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);

    const params = (await readFile(join(system, "kernel-params"), "utf8")).trim();
    const vm = workspace.track(
      startVm({
        disks: [running, second],
        kernel: join(system, "kernel"),
        initrd: join(system, "initrd"),
        append: `init=${system}/init ${params}`,
        sshPort: port,
        serialLog: join(work, "running.log"),
      }),
    );
    await vm.waitFor(/nixos-via-example: generation 1 up/, 240_000);

    const settings = await guideBlock(GUIDE, /^new_disk=/m);
    const values = { host: "machine", new_disk: "/dev/vdb", layout: "examples/layouts/bios-ext4.json" };
    expect(assignedVariables(settings).sort()).toEqual(Object.keys(values).sort());
    const findSystem = await guideBlock(GUIDE, /^system=\$\(ssh/m);
    const dryRun = await guideBlock(GUIDE, /--dry-run$/m);
    const clone = await guideBlock(GUIDE, /--no-reboot$/m);

    const found = await shell.run(findSystem, values);
    expect(found.exitCode, String(found.stderr)).toBe(0);
    expect(String(found.stdout).trim()).toBe(`the machine runs ${system}`);

    const refused = await shell.run(`${findSystem}\n${dryRun}`, { ...values, new_disk: "/dev/vda" });
    expect(refused.exitCode).toBe(1);
    expect(String(refused.stderr)).toContain("nixos-via: error: /dev/vda is in use: vda holds the running system (mounted at /); nothing was touched");

    const planned = await shell.run(`${findSystem}\n${dryRun}`, values);
    expect(planned.exitCode, String(planned.stderr)).toBe(0);
    expect(String(planned.stdout)).toContain("wipefs --all /dev/vdb");

    const cloned = await shell.run(`${findSystem}\n${clone}`, values);
    expect(cloned.exitCode, `${String(cloned.stderr)}\n${String(cloned.stdout).slice(-3000)}`).toBe(0);
    // Still running from its own disk, with nothing of the clone left mounted.
    const after = await shell.run(`ssh "root@$host" 'readlink -f /run/current-system; grep -c /mnt /proc/mounts || true'`, values);
    expect(String(after.stdout).trim().split("\n")).toEqual([system, "0"]);
    await vm.stop();

    const clonedVm = workspace.track(startVm({ disks: [second], serialLog: join(work, "clone.log") }));
    const log = await clonedVm.waitFor(/nixos-via-example: generation 1 up/, 180_000);
    expect(log).toMatch(/stage-1: root is \/dev\/vda2/);
  });
});
