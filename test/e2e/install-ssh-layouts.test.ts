import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm, type Vm } from "../support/qemu.js";
import { bootRescue, buildRescue, OVMF, type Rescue } from "../support/rescue.js";
import { slowTests } from "../support/slowTests.js";
import { freePort } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const repo = new URL("../../", import.meta.url).pathname;
const layouts = `${repo}examples/layouts/`;
const PASSPHRASE = "correct horse battery staple";

// Layouts that stack devices, installed over ssh:// from the rescue system and booted:
// the example system is built with the module `layout --nixos-module` prints, and its
// stage 1 (no udev) finds every device by the name that module gives it
// (/dev/disk/by-partlabel, by-label, /dev/mapper, /dev/VG/LV, /dev/md). LUKS + LVM runs on
// every CI run: it is the richest (a passphrase typed on the console, LVM inside LUKS, a
// swap LV). md, btrfs and xfs are slow-only: each is one more install and boot (~2 min
// each) of a path the LUKS one already walks, with another stack below `/`.
describe("install ssh:// a stacked layout and boot it", () => {
  const workspace = useVmWorkspace("nixos-via-layouts-");
  let rescue: Rescue;

  beforeAll(async () => {
    rescue = await buildRescue(workspace.dir());
  });

  interface Run {
    /** The installed system's serial console. */
    readonly log: string;
    /** Runs a command on the installed system. */
    readonly ssh: (command: string) => Promise<string>;
  }

  /**
   * Installs `layout` onto fresh disks over SSH from the rescue system, lets the installer
   * reboot the machine and wait for it, boots the disks (OVMF or SeaBIOS) and types the
   * LUKS passphrase if stage 1 asks.
   */
  async function installAndBoot(name: string, options: { readonly layout: string; readonly disks: number; readonly boot: "uefi" | "bios"; readonly luks?: boolean }): Promise<Run> {
    const work = join(workspace.dir(), name);
    await mkdir(work);
    const disks = Array.from({ length: options.disks }, (_, i) => join(work, `disk${i}.img`));
    for (const disk of disks) await execa("truncate", ["-s", "4G", disk]);
    const module = join(work, "layout.nix");
    const printed = await nixosVia(["layout", options.layout, "--nixos-module"]);
    expect(printed.exitCode, printed.stderr).toBe(0);
    await writeFile(module, printed.stdout);
    const toplevel = await buildMiniSystem({ generation: "1", boot: options.boot, authorizedKeys: rescue.client.pub, layoutModule: module });
    const port = await freePort();
    const rescueVm = await bootRescue(rescue, { disks, sshPort: port, serialLog: join(work, "rescue.log"), track: workspace.track });

    const knownHosts = join(work, "known_hosts");
    const keys: string[] = [];
    if (options.luks === true) {
      const secret = join(work, "secret.key");
      await writeFile(secret, `${PASSPHRASE}\n`, { mode: 0o600 });
      keys.push("--disk-encryption-keys", "/tmp/secret.key", secret);
    }
    const install = execa(
      "node",
      [
        `${repo}packages/cli/bin/nixos-via.js`, "install", `ssh://root@127.0.0.1:${port}`,
        ...disks.flatMap((_, i) => ["--wipe", `/dev/vd${String.fromCharCode(97 + i)}`]),
        "--layout", options.layout, ...keys, "--system", toplevel,
        "-i", rescue.client.key, "--known-hosts", knownHosts, "--accept-new-host-key", "--ssh-config", "/dev/null",
        "--wait-timeout", "400", "--json",
      ],
      { reject: false, stdin: "ignore" },
    );

    // The rescue VM runs with -no-reboot: the installer's reboot ends it, and the machine
    // comes back from its disks on the same forwarded port.
    const first = await Promise.race([rescueVm.exited().then(() => "rebooted"), install.then(() => "ended")]);
    if (first === "ended") {
      const r = await install;
      throw new Error(`the install ended before the reboot (exit ${r.exitCode}):\n${r.stderr}\n${r.stdout.slice(-4000)}`);
    }
    let firmware: { code: string; vars: string } | undefined;
    if (options.boot === "uefi") {
      firmware = { code: OVMF.code, vars: join(work, "vars.fd") };
      await copyFile(OVMF.vars, firmware.vars);
    }
    const serialLog = join(work, "installed.log");
    const installed: Vm = workspace.track(
      startVm({ disks, ...(firmware ? { firmware } : {}), memoryMiB: 512, sshPort: port, serialLog, serialInput: options.luks === true }),
    );
    if (options.luks === true) {
      await installed.waitFor(/Enter passphrase for /, 180_000);
      installed.type(`${PASSPHRASE}\n`);
    }

    const result = await install;
    expect(result.exitCode, `${result.stderr}\n${result.stdout.slice(-4000)}`).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain(PASSPHRASE);
    expect(events(result.stdout).find((e) => e["type"] === "result")).toMatchObject({ ok: true, generation: 1 });
    const log = await installed.waitFor(/nixos-via-example: generation 1 up/, 120_000);
    const ssh = async (command: string) => {
      const r = await execa(
        "ssh",
        ["-p", String(port), "-i", rescue.client.key, "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-F", "/dev/null", "root@127.0.0.1", command],
        { reject: false },
      );
      expect(r.exitCode, `${command}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    expect(await ssh("cat /run/current-system/nixos-version")).toBe("via-example-1");
    return { log, ssh };
  }

  /** `/proc/mounts` of the installed system as mountpoint → "source type options". */
  async function mounts(run: Run): Promise<Map<string, string>> {
    const lines = (await run.ssh("cat /proc/mounts")).split("\n");
    return new Map(lines.map((l) => l.split(" ")).map(([src, mp, type, opts]) => [mp ?? "", `${src} ${type} ${opts}`]));
  }

  it("LUKS + LVM: opens LUKS with the passphrase, activates the volume group, mounts / and /boot, swaps on the LV", async () => {
    const run = await installAndBoot("luks-lvm", { layout: `${layouts}luks-lvm.json`, disks: 1, boot: "uefi", luks: true });
    expect(run.log).toContain("stage-1: opening /dev/disk/by-partlabel/disk-main-luks as /dev/mapper/crypted");
    expect(run.log).toContain("stage-1: root is /dev/pool/root");
    expect(run.log).toContain("stage-2: mounted /dev/disk/by-partlabel/disk-main-ESP on /boot");
    expect(run.log).toContain("stage-2: swap on /dev/pool/swap");
    const m = await mounts(run);
    expect(m.get("/")).toMatch(/^\/dev\/pool\/root ext4 rw/);
    expect(m.get("/boot")).toMatch(/^\/dev\/disk\/by-partlabel\/disk-main-ESP vfat /);
    // The device-mapper stack: the LUKS mapping under both LVs, the swap LV switched on.
    const dm = await run.ssh("for d in /sys/block/dm-*; do echo \"$(cat $d/dm/name) $(ls $d/slaves)\"; done; cat /proc/swaps");
    expect(dm).toMatch(/^crypted vda2$/m);
    expect(dm).toMatch(/^pool-root dm-0$/m);
    expect(dm).toMatch(/^pool-swap dm-0$/m);
    expect(dm).toMatch(/^\/dev\/mapper\/pool-swap\s+partition\s+2097148\s/m);
  }, 600_000);

  describe.runIf(slowTests)("slow-only layouts", () => {
    it("md raid1 over two disks, /boot mirrored with metadata 1.0: both arrays assembled, UEFI boots a member", async () => {
      const run = await installAndBoot("md-raid1", { layout: `${layouts}md-raid1.json`, disks: 2, boot: "uefi" });
      expect(run.log).toContain("stage-1: root is /dev/md/root");
      expect(run.log).toContain("stage-2: mounted /dev/md/boot on /boot");
      const m = await mounts(run);
      expect(m.get("/")).toMatch(/^\/dev\/md\/root ext4 rw/);
      expect(m.get("/boot")).toMatch(/^\/dev\/md\/boot vfat /);
      const md = await run.ssh("cat /proc/mdstat; for d in /sys/block/md*; do echo \"$(cat $d/md/metadata_version) $(ls $d/slaves | tr '\\n' ' ')\"; done");
      expect(md.match(/active raid1/g)).toHaveLength(2);
      expect(md).toMatch(/^1\.0 vda1 vdb1 $/m);
      expect(md).toMatch(/^1\.2 vda2 vdb2 $/m);
    }, 600_000);

    it("btrfs with subvolumes and compression: / and /nix are subvolumes mounted by stage 1, /home by stage 2", async () => {
      const run = await installAndBoot("btrfs", { layout: `${layouts}btrfs-subvolumes.json`, disks: 1, boot: "uefi" });
      expect(run.log).toContain("stage-1: mounted /dev/disk/by-partlabel/disk-main-root on / (btrfs, compress=zstd,subvol=/rootfs)");
      expect(run.log).toContain("stage-1: mounted /dev/disk/by-partlabel/disk-main-root on /nix (btrfs, compress=zstd,noatime,subvol=/nix)");
      expect(run.log).toContain("stage-2: mounted /dev/disk/by-partlabel/disk-main-root on /home");
      const m = await mounts(run);
      // Compression is the file system's, set by its first mount (btrfs(5): "only options in
      // the first mounted subvolume will take effect"): / carries it, so every subvolume has it.
      expect(m.get("/")).toMatch(/ btrfs rw,.*compress=zstd.*subvol=\/rootfs/);
      expect(m.get("/nix")).toMatch(/ btrfs rw,noatime,compress=zstd.*subvol=\/nix/);
      expect(m.get("/home")).toMatch(/ btrfs rw,.*compress=zstd.*subvol=\/home/);
    }, 600_000);

    it("xfs on an msdos table under SeaBIOS: / and /boot found by file system label", async () => {
      const run = await installAndBoot("xfs", { layout: `${layouts}xfs-msdos.json`, disks: 1, boot: "bios" });
      expect(run.log).toContain("stage-1: root is /dev/disk/by-label/nixos");
      expect(run.log).toContain("stage-2: mounted /dev/disk/by-label/boot on /boot");
      const m = await mounts(run);
      expect(m.get("/")).toMatch(/^\/dev\/disk\/by-label\/nixos xfs rw,noatime/);
      expect(m.get("/boot")).toMatch(/^\/dev\/disk\/by-label\/boot ext4 rw/);
    }, 600_000);
  });
});
