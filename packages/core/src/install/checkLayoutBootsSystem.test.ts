import { describe, expect, it } from "vitest";
import type { NixosSystem } from "../closure/NixosSystem.js";
import { parseLayout } from "../layout/parseLayout.js";
import { checkLayoutBootsSystem } from "./checkLayoutBootsSystem.js";

const TOPLEVEL = "/nix/store/2jimbaisz8l4zd94h196r78alhpc47pk-nixos-system-nixos-via-1";
const system = (needsBootFolder: boolean): NixosSystem => ({
  toplevel: TOPLEVEL,
  system: "x86_64-linux",
  needsBootFolder,
  closure: { root: TOPLEVEL, paths: [] },
});

const disk = (partitions: Record<string, unknown>) =>
  parseLayout({ disk: { main: { type: "disk", device: "/dev/vda", content: { type: "gpt", partitions } } } })._unsafeUnwrap();
const root = { size: "100%", content: { type: "filesystem", format: "ext4", mountpoint: "/" } };
const esp = (format: string) => ({ type: "EF00", size: "256M", content: { type: "filesystem", format, mountpoint: "/boot" } });

describe("checkLayoutBootsSystem", () => {
  it("refuses a systemd-boot system onto a layout that mounts nothing at /boot, saying what to add", () => {
    const problem = checkLayoutBootsSystem(system(true), disk({ boot: { type: "EF02", size: "1M" }, root }));
    expect(problem?.code).toBe("USAGE");
    expect(problem?.message).toBe(
      `${TOPLEVEL} installs systemd-boot onto an ESP at /boot, and the layout mounts nothing at /boot: add an EF00 partition with a vfat file system mounted at /boot (as examples/layouts/uefi-ext4.json), or build the system with a BIOS bootloader`,
    );
  });

  it("refuses a /boot that UEFI firmware cannot read, naming the field to change", () => {
    const problem = checkLayoutBootsSystem(system(true), disk({ ESP: esp("ext4"), root }));
    expect(problem?.message).toContain("the layout's /boot is ext4, which UEFI firmware cannot read");
    expect(problem?.message).toContain('set format "vfat" at disk.main.content.partitions.ESP.content.format');
  });

  it("accepts an ESP at /boot, and any layout for a system that does not need one", () => {
    expect(checkLayoutBootsSystem(system(true), disk({ ESP: esp("vfat"), root }))).toBeUndefined();
    expect(checkLayoutBootsSystem(system(false), disk({ boot: { type: "EF02", size: "1M" }, root }))).toBeUndefined();
  });
});
