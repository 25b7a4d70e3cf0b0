import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { events } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { bootRescue, buildRescue, OVMF } from "../support/rescue.js";
import { freePort } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const repo = new URL("../../", import.meta.url).pathname;
const PASSPHRASE = "a passphrase only the test knows";

// Issue 17's rescue system: busybox (sh, mount, tar, gzip, modprobe) plus the disk tools,
// no kmod, every file system, dm-crypt and md a module that busybox modprobe loads on
// demand. On two disks it gets an ESP, an ext4 /, LUKS (key sent with
// --disk-encryption-keys) holding btrfs with a subvolume on /home, an md raid1 on /srv and
// a tmpfs /tmp. The example system's initrd can neither unlock LUKS nor assemble md, so
// the machine boots from the ESP and the plain /; the LUKS and md volumes are checked
// from the rescue system after the install, before it reboots.
describe("install ssh:// from a busybox rescue system", () => {
  const workspace = useVmWorkspace("nixos-via-busybox-rescue-");

  it("installs tmpfs, btrfs, LUKS and md, removes the key, and the install boots", async () => {
    const work = workspace.dir();
    const rescueSystem = await buildRescue(work, { busyboxOnly: true });
    const { dir: rescue, client } = rescueSystem;
    const manifest = await readFile(join(rescue, "manifest.txt"), "utf8");
    expect(manifest).toContain("userland: busybox only");
    expect(manifest).toMatch(/^program mdadm: /m);
    expect(manifest).toMatch(/^program cryptsetup: /m);
    const disks = [join(work, "a.img"), join(work, "b.img")];
    for (const disk of disks) await execa("truncate", ["-s", "2G", disk]);
    const secret = join(work, "secret.key");
    await writeFile(secret, `${PASSPHRASE}\n`, { mode: 0o600 });
    const toplevel = await buildMiniSystem({ generation: "1", boot: "uefi", authorizedKeys: client.pub });
    const port = await freePort();

    const rescueVm = await bootRescue(rescueSystem, { disks, sshPort: port, serialLog: join(work, "rescue.log"), track: workspace.track });
    const knownHosts = join(work, "known_hosts");
    const ssh = (command: string) =>
      execa("ssh", ["-p", String(port), "-i", client.key, "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "BatchMode=yes", "-F", "/dev/null", "root@127.0.0.1", command], {
        reject: false,
      });

    const install = await execa(
      "node",
      [
        `${repo}packages/cli/bin/nixos-via.js`, "install", `ssh://root@127.0.0.1:${port}`,
        "--wipe", "/dev/vda", "--wipe", "/dev/vdb", "--layout", `${repo}test/fixtures/layouts/busybox-rescue.json`,
        "--disk-encryption-keys", "/tmp/secret.key", secret,
        "--system", toplevel, "-i", client.key, "--known-hosts", knownHosts, "--accept-new-host-key", "--ssh-config", "/dev/null",
        "--no-reboot", "--json",
      ],
      { reject: false, stdin: "ignore" },
    );
    expect(install.exitCode, `${install.stderr}\n${install.stdout.slice(-4000)}`).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toContain(PASSPHRASE);
    const evs = events(install.stdout);
    const starts = evs.filter((e) => e["type"] === "step-start").map((e) => e["description"] as string);
    expect(starts[0]).toMatch(/^put the disk encryption key \/tmp\/secret\.key on the target, in a tmpfs \(\d+ bytes from /);
    expect(starts.at(-1)).toBe("remove the disk encryption key /tmp/secret.key from the target");
    expect(evs.filter((e) => e["type"] === "step-end").every((e) => e["ok"] === true)).toBe(true);

    // Everything is unmounted, closed and stopped, the key and its tmpfs are gone, and the
    // LUKS device opens with the passphrase sent (disko strips its trailing newline).
    const after = await ssh(
      "set -e; ! test -e /tmp/secret.key; ! test -L /tmp/secret.key; ! test -e /run/nixos-via-keys;" +
        " ! grep -q -e nixos-via-keys -e ' /mnt' /proc/mounts; ! test -e /dev/mapper/crypted; ! grep -q '^md' /proc/mdstat;" +
        " lsmod | grep -q '^dm_crypt '; which modprobe; readlink -f /bin/sh;" +
        ` printf %s '${PASSPHRASE}' | DM_DISABLE_UDEV=1 cryptsetup open --key-file - /dev/vda2 check;` +
        " mkdir -p /check && mount -t btrfs /dev/mapper/check /check && btrfs subvolume list /check && umount /check;" +
        " DM_DISABLE_UDEV=1 cryptsetup close check; mdadm --examine /dev/vda3 /dev/vdb1 | grep 'Raid Level'",
    );
    expect(after.exitCode, `${after.stderr}\n${after.stdout}`).toBe(0);
    expect(after.stdout).toContain("/usr/sbin/modprobe\n/usr/bin/busybox\n");
    expect(after.stdout).toMatch(/path @home$/m);
    expect(after.stdout.match(/Raid Level : raid1/g)).toHaveLength(2);

    // The rescue VM runs with -no-reboot: its reboot ends it, and the machine comes back
    // from its disk with UEFI firmware.
    await ssh("reboot");
    await rescueVm.exited();
    const vars = join(work, "vars.fd");
    await copyFile(OVMF.vars, vars);
    const installed = startVm({ disks, firmware: { code: OVMF.code, vars }, memoryMiB: 512, sshPort: port, serialLog: join(work, "installed.log") });
    workspace.track(installed);
    const log = await installed.waitFor(/nixos-via-example: generation 1 up/, 120_000);
    expect(log).toContain("stage-1: root is /dev/vda4");
    expect(log).toMatch(/stage-2: mounted \/dev\/vda1 on \/boot/);
  });
});
