import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, closureOf, nix, NIX_ENV } from "../support/nix.js";
import { useRootSshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

/** A real ext4 file system in a loop image, too small at first, that can grow in place. */
interface SmallFs {
  readonly mountpoint: string;
  grow(mib: number): Promise<void>;
  remove(): Promise<void>;
}

async function smallFs(dir: string, mib: number): Promise<SmallFs> {
  const image = join(dir, "fs.img");
  const mountpoint = join(dir, "mnt");
  await mkdir(mountpoint, { recursive: true });
  await execa("truncate", ["-s", `${mib}M`, image]);
  await execa("mkfs.ext4", ["-q", "-F", "-m", "0", image]);
  const loop = (await execa("losetup", ["-f", "--show", image])).stdout.trim();
  await execa("mount", [loop, mountpoint]);
  return {
    mountpoint,
    async grow(size) {
      // Offline: a small ext4 is made with 1 KiB blocks, which online resizing may refuse.
      await execa("umount", [mountpoint]);
      await execa("truncate", ["-s", `${size}M`, image]);
      await execa("losetup", ["-c", loop]);
      // e2fsck exits 1 when it corrected something, which is fine before a resize.
      const check = await execa("e2fsck", ["-f", "-p", loop], { reject: false });
      if ((check.exitCode ?? 8) > 1) throw new Error(`e2fsck ${loop} exited ${check.exitCode}: ${check.stderr}`);
      await execa("resize2fs", [loop]);
      await execa("mount", [loop, mountpoint]);
    },
    async remove() {
      await execa("umount", [mountpoint], { reject: false });
      await execa("losetup", ["-d", loop], { reject: false });
    },
  };
}

// The example's closure (~115 MiB) does not fit in 64 MiB: the disk fills in the middle of
// the copy. GNU tar goes on after a write error, so markers follow paths cut short; the
// rerun after the disk grew must resend exactly those and leave a store Nix accepts.
describe("a target whose disk fills in the middle of the copy", () => {
  let work: string;
  let gen1: string;
  let closure: string[];
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    work = await tempRoot("nixos-via-full-");
    gen1 = await buildMiniSystem({ generation: "1" });
    closure = await closureOf(gen1);
  });

  afterAll(async () => {
    for (const undo of cleanup.reverse()) await undo();
    await removeTree(work);
  });

  async function fullRoot(name: string): Promise<SmallFs> {
    const dir = join(work, name);
    await mkdir(dir);
    const fs = await smallFs(dir, 64);
    cleanup.push(() => fs.remove());
    await mkdir(join(fs.mountpoint, "boot"), { mode: 0o755 });
    return fs;
  }

  async function expectNixAccepts(root: string): Promise<void> {
    const valid = (await nix(["nix", "path-info", "--store", `local?root=${root}`, "-r", gen1])).split("\n").filter(Boolean).sort();
    expect(valid).toEqual(closure);
    const verify = await execa("nix-store", ["--store", `local?root=${root}`, "--verify", "--check-contents"], { env: NIX_ENV, reject: false });
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stderr).not.toMatch(/corrupt|modified|invalid|error/i);
    expect(existsSync(join(root, "nix/store/.nixos-via-incoming"))).toBe(false);
  }

  it("dir: fails on the full disk, and the rerun after growing it completes with verified contents", async () => {
    const fs = await fullRoot("dir");
    const first = await nixosVia(["install", `dir:${fs.mountpoint}`, "--system", gen1]);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toMatch(/No space left on device/);
    expect(existsSync(join(fs.mountpoint, "nix/var/nix/db/db.sqlite"))).toBe(false);

    await fs.grow(400);
    const second = await nixosVia(["install", `dir:${fs.mountpoint}`, "--system", gen1, "--json"]);
    expect(second.exitCode, second.stderr).toBe(0);
    await expectNixAccepts(fs.mountpoint);
  });

  describe("over ssh://", () => {
    const loopback = useRootSshd(() => work);

    it("fails on the full disk, and the rerun after growing it resends what was cut short", async () => {
      const fs = await fullRoot("ssh");
      const knownHosts = join(work, "known_hosts");
      const uri = `ssh://root@127.0.0.1:${loopback.sshd().port}`;
      const common = ["--root", fs.mountpoint, "--system", gen1, "-i", loopback.client().key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null"];
      const first = await nixosVia(["install", uri, ...common, "--accept-new-host-key"]);
      expect(first.exitCode).toBe(1);
      expect(first.stderr).toMatch(/No space left on device/);

      await fs.grow(400);
      const second = await nixosVia(["install", uri, ...common, "--json"]);
      expect(second.exitCode, second.stderr).toBe(0);
      // Some paths arrived whole on the first run and were kept (staged, complete, not yet
      // registered: there was no database); what was cut short went again.
      const plan = events(second.stdout).find((e) => e["type"] === "plan") as { plan: { copy: { paths: number; present: number; staged: number } } };
      const { paths, present, staged } = plan.plan.copy;
      expect(present).toBe(0);
      expect(staged).toBeGreaterThan(0);
      expect(paths).toBeGreaterThan(0);
      expect(paths + staged).toBe(closure.length);
      await expectNixAccepts(fs.mountpoint);
    });
  });

  it("image: fails when the root partition fills, releases the image, and a rerun with room installs", async () => {
    const image = join(work, "small.img");
    const layout = new URL("../../examples/layouts/bios-ext4.json", import.meta.url).pathname;
    // The image is large enough (the install checks that first), its root partition is not.
    const cramped = join(work, "cramped-root.json");
    await writeFile(
      cramped,
      JSON.stringify({
        disk: {
          main: {
            type: "disk",
            content: {
              type: "gpt",
              partitions: {
                boot: { type: "EF02", size: "1M" },
                root: { size: "64M", content: { type: "filesystem", format: "ext4", mountpoint: "/" } },
                data: { size: "100%", content: { type: "filesystem", format: "ext4", mountpoint: "/srv" } },
              },
            },
          },
        },
      }),
    );
    // The BIOS layouts want the BIOS flavour of the example (extlinux, no ESP).
    const bios = await buildMiniSystem({ generation: "1", boot: "bios" });
    const loopsBefore = (await execa("losetup", ["-j", image])).stdout;
    const first = await nixosVia(["install", `image:${image}`, "--image-size", "400M", "--layout", cramped, "--system", bios]);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toMatch(/No space left on device/);
    expect((await execa("losetup", ["-j", image])).stdout).toBe(loopsBefore);
    expect(await readFile("/proc/mounts", "utf8")).not.toMatch(/nixos-via-image/);
    expect(existsSync(image)).toBe(false);

    const second = await nixosVia(["install", `image:${image}`, "--image-size", "400M", "--layout", layout, "--system", bios]);
    expect(second.exitCode, second.stderr).toBe(0);
  });
});
