import type { Layout } from "../Layout.js";
import type { LayoutProblem } from "../LayoutValidationError.js";
import { ownValue } from "../ownValue.js";
import { hasControlCharacters } from "../printable.js";
import { noDeviceProblem } from "../resolveDiskDevices.js";

/**
 * What is wrong with the devices and the mount root given for planning a layout: each disk
 * needs its own device path, no device may name a disk the layout lacks, and the mount root
 * must be an absolute directory other than `/`.
 */
export function checkDevicesAndMountRoot(layout: Layout, devices: Readonly<Record<string, string>>, mountRoot: string): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const disks = layout.disk ?? {};
  const used = new Map<string, string>();
  for (const name of Object.keys(disks).sort()) {
    const dev = ownValue(devices, name);
    if (dev === undefined) {
      problems.push(noDeviceProblem(name, disks[name]));
    } else if (!dev.startsWith("/") || /\s/.test(dev) || hasControlCharacters(dev)) {
      problems.push({ path: `disk.${name}`, message: `"${dev}" is not a device path` });
    } else if (used.has(dev)) {
      problems.push({ path: `disk.${name}`, message: `${dev} is also given for disk ${used.get(dev)}` });
    } else used.set(dev, name);
  }
  for (const name of Object.keys(devices).sort()) {
    if (ownValue(disks, name) === undefined) problems.push({ path: `disk.${name}`, message: `a device is given for disk ${name}, but the layout has no such disk` });
  }
  if (!mountRoot.startsWith("/") || mountRoot.replace(/\/+$/, "") === "" || /\s/.test(mountRoot)) {
    problems.push({ path: "mountRoot", message: `"${mountRoot}" cannot be the mount root: give an absolute directory other than /` });
  }
  return problems;
}
