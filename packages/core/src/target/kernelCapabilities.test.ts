import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KERNEL_CAPABILITIES } from "./kernelCapabilities.js";

const work = mkdtempSync(join(tmpdir(), "kernel-caps-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fake /proc, /sys and module tree, as a rescue system's kernel would show them. */
function fakeKernel(name: string, files: Record<string, string>): { proc: string; sys: string; modules: string } {
  const base = join(work, name);
  const dirs = { proc: join(base, "proc"), sys: join(base, "sys"), modules: join(base, "modules") };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(base, file, ".."), { recursive: true });
    writeFileSync(join(base, file), text);
  }
  return dirs;
}

// dash, and busybox ash with its own grep and sed (a rescue system without kmod).
const shells = [
  ["dash", ["dash"]],
  ["busybox ash", ["busybox", "sh"]],
] as const;

for (const [label, [file, ...pre]] of shells) {
  const available = spawnSync(file, [...pre, "-c", "exit 0"]).status === 0;
  const capabilities = (k: { proc: string; sys: string; modules: string }): string[] => {
    const r = spawnSync(file, [...pre, "-c", `${KERNEL_CAPABILITIES}\nkernel_capabilities "$@"`, "caps", k.proc, k.sys, k.modules], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split("\n").filter(Boolean).sort();
  };

  describe.skipIf(!available)(`kernel_capabilities under ${label}`, () => {
    it("reads every line of /proc/filesystems, with the nodev column and without", () => {
      const k = fakeKernel(`proc-${file}`, {
        "proc/filesystems": "nodev\tsysfs\nnodev\ttmpfs\n\text4\nnodev\tdevtmpfs\n\tvfat\nxfs\n",
      });
      expect(capabilities(k)).toEqual(["filesystem=devtmpfs", "filesystem=ext4", "filesystem=sysfs", "filesystem=tmpfs", "filesystem=vfat", "filesystem=xfs"]);
    });

    it("counts loadable and built-in modules of the module tree, as busybox's and kmod's modprobe see them", () => {
      const k = fakeKernel(`modules-${file}`, {
        "proc/filesystems": "nodev\ttmpfs\n",
        "modules/modules.dep": [
          "kernel/fs/btrfs/btrfs.ko.xz: kernel/lib/raid6/raid6_pq.ko.xz kernel/crypto/xor.ko.xz",
          "kernel/fs/ext4/ext4.ko.xz: kernel/fs/jbd2/jbd2.ko.xz kernel/fs/mbcache.ko.xz",
          "kernel/drivers/md/dm-crypt.ko.xz: kernel/drivers/md/dm-mod.ko.xz",
          "kernel/drivers/md/dm-mod.ko.xz:",
          "",
        ].join("\n"),
        "modules/modules.builtin": "kernel/drivers/md/md-mod.ko\nkernel/fs/fat/vfat.ko\n",
        "modules/modules.alias": "alias fs-ext3 ext4\nalias fs-ext2 ext4\nalias fs-btrfs btrfs\n",
      });
      expect(capabilities(k)).toEqual([
        "feature=device-mapper",
        "feature=dm-crypt",
        "feature=md",
        "filesystem=btrfs",
        "filesystem=ext2",
        "filesystem=ext3",
        "filesystem=ext4",
        "filesystem=tmpfs",
        "filesystem=vfat",
      ]);
    });

    it("reports nothing it cannot find: no module tree, no features", () => {
      const k = fakeKernel(`bare-${file}`, { "proc/filesystems": "\text4\n" });
      expect(capabilities(k)).toEqual(["filesystem=ext4"]);
      // A module that merely mentions a name is not that module (xfs is not /xfs_foo.ko).
      const near = fakeKernel(`near-${file}`, { "proc/filesystems": "", "modules/modules.dep": "kernel/fs/xfs_foo/xfs_foo.ko:\nkernel/fs/notbtrfs.ko:\n" });
      expect(capabilities(near)).toEqual([]);
    });

    it("sees device-mapper, dm-crypt and md that are loaded already", () => {
      const k = fakeKernel(`loaded-${file}`, { "proc/filesystems": "", "proc/misc": "236 device-mapper\n", "proc/mdstat": "Personalities :\n", "sys/module/dm_crypt/refcnt": "0\n" });
      expect(capabilities(k)).toEqual(["feature=device-mapper", "feature=dm-crypt", "feature=md"]);
    });
  });
}
