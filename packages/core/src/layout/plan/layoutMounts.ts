import type { Layout } from "../Layout.js";
import type { LayoutMount } from "../planLayout.js";
import { mountsOf } from "../walkLayout.js";

/** The layout's mounts under the mount root, parents before children, then by mountpoint. */
export function layoutMounts(layout: Layout, devices: Readonly<Record<string, string>>, mountRoot: string): LayoutMount[] {
  return mountsOf(layout, devices)
    .sort((a, b) => depth(a.mountpoint) - depth(b.mountpoint) || (a.mountpoint < b.mountpoint ? -1 : a.mountpoint > b.mountpoint ? 1 : 0))
    .map((m) => ({
      device: m.installDevice,
      description: m.description,
      mountpoint: m.mountpoint,
      path: underRoot(mountRoot, m.mountpoint),
      fsType: m.fsType,
      options: m.options,
    }));
}

function underRoot(root: string, mountpoint: string): string {
  const base = root.replace(/\/+$/, "");
  return mountpoint === "/" ? base : `${base}${mountpoint}`;
}

function depth(mountpoint: string): number {
  return mountpoint === "/" ? 0 : mountpoint.split("/").length - 1;
}
