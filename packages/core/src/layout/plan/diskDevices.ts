import type { Disk, Layout } from "../Layout.js";

/** A disk of the layout with the device it is at install time. */
export interface DiskDevice {
  readonly name: string;
  readonly disk: Disk;
  readonly device: string;
}

/** The layout's disks by name, each with its device; every disk has one once the devices are checked. */
export function diskDevices(layout: Layout, devices: Readonly<Record<string, string>>): DiskDevice[] {
  const disks = layout.disk ?? {};
  return Object.keys(disks)
    .sort()
    .map((name) => ({ name, disk: disks[name] as Disk, device: devices[name] as string }));
}
