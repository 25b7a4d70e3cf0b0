import type { NixosSystem } from "../closure/NixosSystem.js";
import { UsageError } from "../errors/index.js";
import type { Layout } from "../layout/Layout.js";
import { mountsOf } from "../layout/walkLayout.js";

/** File systems UEFI firmware reads an ESP from. */
const ESP_FORMATS = new Set(["vfat", "fat", "fat32", "msdos"]);

/**
 * A system whose bootloader installs onto an ESP at `/boot` (systemd-boot) cannot boot from
 * a layout that mounts no FAT file system there (a BIOS-only layout): the install would copy
 * everything and fail at its last step. Refused before the first step, saying what to change.
 *
 * @example
 * ```ts
 * checkLayoutBootsSystem({ toplevel, needsBootFolder: true, … }, biosOnlyLayout)
 * // UsageError: "… installs systemd-boot onto an ESP at /boot, and the layout mounts nothing at /boot: …"
 * ```
 */
export function checkLayoutBootsSystem(system: NixosSystem, layout: Layout): UsageError | undefined {
  if (system.needsBootFolder !== true) return undefined;
  const boot = mountsOf(layout).find((m) => m.mountpoint === "/boot");
  const fix = "add an EF00 partition with a vfat file system mounted at /boot (as examples/layouts/uefi-ext4.json), or build the system with a BIOS bootloader";
  if (boot === undefined) {
    return new UsageError(`${system.toplevel} installs systemd-boot onto an ESP at /boot, and the layout mounts nothing at /boot: ${fix}`);
  }
  if (!ESP_FORMATS.has(boot.fsType)) {
    return new UsageError(
      `${system.toplevel} installs systemd-boot onto an ESP at /boot, and the layout's /boot is ${boot.fsType}, which UEFI firmware cannot read: set format "vfat" at ${boot.path.replace(/\.mountpoint$/, ".format")}`,
    );
  }
  return undefined;
}
