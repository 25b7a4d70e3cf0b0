import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm, type Vm } from "../support/qemu.js";
import { freePort, keyPair } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const repo = new URL("../../", import.meta.url).pathname;
const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";

// The whole story of install-via-ssh: a 512 MiB machine in its rescue system (no Nix, no
// kexec) gets a UEFI layout and the example system over SSH, reboots, comes back from its
// own disk under OVMF, and the installer sees it answer running the new system.
describe("install ssh:// from a rescue system", () => {
  let work: string;
  const vms: Vm[] = [];

  beforeAll(async () => {
    work = await tempRoot("nixos-via-rescue-");
  });
  afterAll(async () => {
    for (const vm of vms) await vm.stop();
    await removeTree(work);
  });

  it("installs, reboots into the new system, and waits for it", async () => {
    const client = await keyPair(work, "client");
    await mkdir(join(work, "hostkeys"));
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(work, "hostkeys", "ssh_host_ed25519_key")]);
    const rescue = join(work, "rescue");
    await execa("bash", [`${repo}test/rescue/build-initramfs.sh`, "--host-key-dir", join(work, "hostkeys"), "--authorized-keys", `${client.key}.pub`, rescue]);
    const disk = join(work, "disk.img");
    await execa("truncate", ["-s", "2G", disk]);
    const toplevel = await buildMiniSystem({ generation: "1", boot: "uefi", authorizedKeys: client.pub });
    const port = await freePort();

    const rescueVm = startVm({
      disks: [disk],
      kernel: join(rescue, "vmlinuz"),
      initrd: join(rescue, "initramfs.gz"),
      append: "console=ttyS0 quiet",
      memoryMiB: 512,
      sshPort: port,
      serialLog: join(work, "rescue.log"),
    });
    vms.push(rescueVm);
    await rescueVm.waitFor(/nixos-via-rescue: ready/, 180_000);

    const knownHosts = join(work, "known_hosts");
    const install = execa(
      "node",
      [
        `${repo}packages/cli/bin/nixos-via.js`, "install", `ssh://root@127.0.0.1:${port}`,
        "--wipe", "/dev/vda", "--layout", `${repo}examples/layouts/uefi-ext4.json`, "--system", toplevel,
        "-i", client.key, "--known-hosts", knownHosts, "--accept-new-host-key", "--ssh-config", "/dev/null",
        "--wait-timeout", "400", "--json",
      ],
      { reject: false, stdin: "ignore" },
    );

    // The rescue VM runs with -no-reboot: the installer's reboot ends it, and the machine
    // comes back from its disk with UEFI firmware, on the same forwarded port.
    await rescueVm.exited();
    const vars = join(work, "vars.fd");
    await copyFile(OVMF_VARS, vars);
    const installed = startVm({
      disks: [disk],
      firmware: { code: OVMF_CODE, vars },
      memoryMiB: 512,
      sshPort: port,
      serialLog: join(work, "installed.log"),
    });
    vms.push(installed);

    const result = await install;
    expect(result.exitCode, `${result.stderr}\n${result.stdout.slice(-4000)}`).toBe(0);
    const log = await installed.waitFor(/nixos-via-example: generation 1 up/, 60_000);
    expect(log).toContain("nixos-via-example: generation 1 up");
    const evs = events(result.stdout);
    expect(evs.find((e) => e["type"] === "result")).toMatchObject({ ok: true, generation: 1 });
    // known_hosts holds the rescue system's key (accepted on first use) and the new
    // system's, learnt over the trusted connection before the reboot: nothing else.
    const rescueKey = (await readFile(join(work, "hostkeys", "ssh_host_ed25519_key.pub"), "utf8")).split(" ")[1]!;
    const lines = (await readFile(knownHosts, "utf8")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`[127.0.0.1]:${port} ssh-ed25519 ${rescueKey}`);
    expect(lines[1]).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 `));
    expect(lines[1]).not.toContain(rescueKey);
  });
});
