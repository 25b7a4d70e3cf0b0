import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAYOUT_SCRIPT, LAYOUT_SCRIPT_NAME } from "@nixos-via/core";
import { nixosVia } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const layouts = new URL("../../examples/layouts/", import.meta.url).pathname;

/** A sparse image attached as a loop device: a real block device for disk: tests. */
async function loopDisk(dir: string, name: string): Promise<{ file: string; device: string }> {
  const file = join(dir, name);
  await execa("truncate", ["-s", "1G", file]);
  const device = (await execa("losetup", ["-f", "-P", "--show", file])).stdout.trim();
  return { file, device };
}

async function signature(device: string): Promise<string> {
  return (await execa("sh", ["-c", `dd if=${device} bs=1M count=2 status=none | sha256sum`])).stdout;
}

// disk: targets refuse before any step unless the user named the device exactly, and
// never touch a device that is in use.
describe("nixos-via install disk: safety", () => {
  let work: string;
  let toplevel: string;
  const loops: string[] = [];

  beforeAll(async () => {
    work = await tempRoot("nixos-via-disk-");
    toplevel = await buildMiniSystem({ generation: "1", boot: "bios" });
  });
  afterAll(async () => {
    await execa("sh", ["-c", `grep -o " ${work}[^ ]*" /proc/self/mounts | xargs -r -n1 umount -l`], { reject: false });
    for (const l of loops) await execa("losetup", ["-d", l], { reject: false });
    await removeTree(work);
  });

  it("refuses without --wipe, with a --wipe naming another device, and touches nothing", async () => {
    const disk = await loopDisk(work, "a.img");
    loops.push(disk.device);
    await execa("sgdisk", ["-n", "1:0:0", disk.device]);
    const before = await signature(disk.device);
    const base = ["install", `disk:${disk.device}`, "--layout", `${layouts}bios-ext4.json`, "--system", toplevel];

    const none = await nixosVia(base);
    expect(none.exitCode).toBe(1);
    expect(none.stderr.split("\n")[0]).toBe(
      `nixos-via: error: installing onto ${disk.device} erases it: pass --wipe ${disk.device} to allow that (nothing was touched)`,
    );
    const other = await nixosVia([...base, "--wipe", "/dev/sdz"]);
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toContain(`pass --wipe ${disk.device}`);
    // --yes is no substitute for naming the device.
    const yes = await nixosVia([...base, "--yes"]);
    expect(yes.exitCode).toBe(2);
    expect(await signature(disk.device)).toBe(before);
  });

  it("refuses a device with a mounted partition, even when --wipe names it", async () => {
    const disk = await loopDisk(work, "b.img");
    loops.push(disk.device);
    await execa("sgdisk", ["-n", "1:0:0", disk.device]);
    await execa("partx", ["-u", disk.device], { reject: false });
    const part = `${disk.device}p1`;
    for (let i = 0; i < 50 && !existsSync(part); i++) await new Promise((r) => setTimeout(r, 100));
    await execa("mkfs.ext4", ["-q", part]);
    const mnt = join(work, "mnt");
    await mkdir(mnt);
    await execa("mount", [part, mnt]);
    await writeFile(join(mnt, "keep"), "precious");
    try {
      const before = await signature(disk.device);
      const run = await nixosVia(["install", `disk:${disk.device}`, "--wipe", disk.device, "--layout", `${layouts}bios-ext4.json`, "--system", toplevel]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr.split("\n")[0]).toBe(
        `nixos-via: error: ${disk.device} is in use: ${part.slice(5)} is mounted at ${mnt}; unmount it first; nothing was touched`,
      );
      expect(await signature(disk.device)).toBe(before);
      // The layout's own wipe step judges "in use" with the same facts (block_device_facts),
      // should the device get mounted between the check and the wipe.
      const wipeCheck = await execa("sh", ["-c", LAYOUT_SCRIPT, LAYOUT_SCRIPT_NAME, "unused", disk.device], { reject: false });
      expect(wipeCheck.exitCode).toBe(1);
      expect(wipeCheck.stderr).toBe(`nixos-via-layout: ${disk.device} is in use: mounted=${part.slice(5)} ${mnt}`);
      const partitionCheck = await execa("sh", ["-c", LAYOUT_SCRIPT, LAYOUT_SCRIPT_NAME, "unused", part], { reject: false });
      expect(partitionCheck.stderr).toBe(`nixos-via-layout: ${part} is a partition, not a whole disk`);
    } finally {
      await execa("umount", [mnt]);
    }
    const unmounted = await execa("sh", ["-c", LAYOUT_SCRIPT, LAYOUT_SCRIPT_NAME, "unused", disk.device], { reject: false });
    expect(unmounted.exitCode, unmounted.stderr).toBe(0);
  });

  it("refuses a partition, and the disk this machine runs from", async () => {
    const disk = await loopDisk(work, "c.img");
    loops.push(disk.device);
    await execa("sgdisk", ["-n", "1:0:0", disk.device]);
    await execa("partx", ["-u", disk.device], { reject: false });
    const part = `${disk.device}p1`;
    const asPartition = await nixosVia(["install", `disk:${part}`, "--wipe", part, "--layout", `${layouts}bios-ext4.json`, "--system", toplevel]);
    expect(asPartition.exitCode).toBe(1);
    expect(asPartition.stderr).toContain("is a partition; name the whole disk");

    const rootSource = (await execa("findmnt", ["-n", "-o", "SOURCE", "/"])).stdout.trim();
    const rootDisk = `/dev/${(await execa("lsblk", ["-n", "-o", "PKNAME", rootSource], { reject: false })).stdout.trim() || rootSource.slice(5)}`;
    const own = await nixosVia(["install", `disk:${rootDisk}`, "--wipe", rootDisk, "--layout", `${layouts}bios-ext4.json`, "--system", toplevel, "--dry-run"]);
    expect(own.exitCode).toBe(1);
    expect(own.stderr).toMatch(/is in use: .* holds the running system \(mounted at \/\)/);
  });

  it("installs a layout with a nodev tmpfs (disko's nodev entries), which this kernel mounts", async () => {
    const layout = JSON.parse(await readFile(`${layouts}bios-ext4.json`, "utf8")) as Record<string, unknown>;
    layout["nodev"] = { "/tmp": { fsType: "tmpfs", mountOptions: ["size=64M", "mode=1777"] } };
    const file = join(work, "tmpfs-layout.json");
    await writeFile(file, JSON.stringify(layout));
    const image = join(work, "tmpfs.img");
    const bios = await buildMiniSystem({ generation: "1", boot: "bios" });
    const run = await nixosVia(["install", `image:${image}`, "--image-size", "1G", "--layout", file, "--system", bios]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\[\d+\/\d+\] mount: mount tmpfs \/tmp on \/run\/nixos-via-\w+\/tmp$/m);
    await rm(image);
  });

  it("installs a system that carries its layout onto disk: with no --layout, and refuses one whose layout mounts no /", async () => {
    const carrying = await buildMiniSystem({ generation: "1", boot: "bios", layout: `${layouts}bios-ext4.json` });
    const disk = await loopDisk(work, "carried.img");
    loops.push(disk.device);
    const run = await nixosVia(["install", `disk:${disk.device}`, "--wipe", disk.device, "--system", carrying]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr.split("\n")[0]).toBe(`using the disk layout the system carries: ${carrying}/disko.json`);
    expect((await execa("sgdisk", ["-p", disk.device])).stdout).toContain("disk-main-root");

    const dataOnly = await buildMiniSystem({ generation: "1", boot: "bios", layout: new URL("../fixtures/disko-examples/multi-device-no-deps.json", import.meta.url).pathname });
    const before = await signature(disk.device);
    const refused = await nixosVia(["install", `disk:${disk.device}`, "--wipe", disk.device, "--disk", `disk0=${disk.device}`, "--system", dataOnly]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("nixos-via: error: the layout mounts nothing at /, and an install needs a root file system");
    expect(await signature(disk.device)).toBe(before);
  });

  it("says before starting that this machine's kernel cannot mount vfat, when it cannot", async () => {
    const vfat = (await execa("sh", ["-c", "grep -qw vfat /proc/filesystems || modprobe -n -q vfat"], { reject: false })).exitCode === 0;
    const run = await nixosVia(["install", `image:${join(work, "uefi.img")}`, "--image-size", "1G", "--layout", `${layouts}uefi-ext4.json`, "--system", toplevel]);
    if (vfat) {
      expect(run.exitCode).toBe(0);
    } else {
      expect(run.exitCode).toBe(1);
      expect(run.stderr.split("\n")[0]).toMatch(/this machine's kernel cannot mount vfat, which the layout needs/);
      expect(existsSync(join(work, "uefi.img"))).toBe(false);
    }
  });
});

describe("nixos-via layout", () => {
  it("checks, prints the NixOS module and the plan", async () => {
    const ok = await nixosVia(["layout", `${layouts}luks-lvm.json`, "--check"]);
    expect(ok.exitCode).toBe(0);
    const mod = await nixosVia(["layout", `${layouts}uefi-ext4.json`, "--nixos-module"]);
    expect(mod.exitCode).toBe(0);
    expect(mod.stdout).toContain('fileSystems."/boot"');
    expect(mod.stdout).toContain("/dev/disk/by-partlabel/disk-main-root");
    const plan = await nixosVia(["layout", `${layouts}two-disks.json`, "--plan", "--disk", "a=/dev/vda", "--disk", "b=/dev/vdb"]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("sgdisk --zap-all /dev/vda");
  });

  it("reports every problem of a bad layout with its JSON path", async () => {
    const bad = await nixosVia(["layout", `${layouts}invalid/many-problems.json`, "--check"]);
    expect(bad.exitCode).toBe(1);
    const lines = bad.stderr.split("\n").filter(Boolean);
    expect(lines[0]).toMatch(/^nixos-via: error: disk\./);
    expect(lines.length).toBeGreaterThan(3);
  });
});

describe("nixos-via install image: interrupted", () => {
  it("releases the mounts and the loop device and removes the new image on Ctrl-C", async () => {
    const work = await tempRoot("nixos-via-sigint-");
    try {
      const toplevel = await buildMiniSystem({ generation: "1", boot: "bios" });
      const image = join(work, "interrupted.img");
      const child = execa(
        "node",
        [new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname, "install", `image:${image}`, "--image-size", "1G",
          "--layout", `${layouts}bios-ext4.json`, "--system", toplevel, "--json"],
        { reject: false, stdin: "ignore" },
      );
      let interruptedAt: string | undefined;
      child.stdout.on("data", (chunk: Buffer) => {
        // Once the filesystem is mounted, stop: the run must undo the mount and the loop device.
        if (interruptedAt === undefined && /"type":"step-start","index":\d+,"total":\d+,"phase":"(copy|register)"/.test(chunk.toString())) {
          interruptedAt = "copy";
          child.kill("SIGINT");
        }
      });
      const run = await child;
      expect(interruptedAt).toBe("copy");
      expect(run.exitCode).toBe(1);
      expect(String(run.stdout)).toContain('"code":"ABORTED"');
      expect(existsSync(image)).toBe(false);
      expect((await execa("losetup", ["-j", image])).stdout).toBe("");
      expect((await execa("cat", ["/proc/self/mounts"])).stdout).not.toMatch(/\/run\/nixos-via-/);
    } finally {
      await removeTree(work);
    }
  });
});
