import type { Layout, LogicalVolume } from "./Layout.js";
import { mountsOf, walkLayout } from "./walkLayout.js";

/**
 * The NixOS module a layout implies, as Nix source: `fileSystems`, `swapDevices`,
 * `boot.resumeDevice`, `boot.initrd.luks.devices` and what md RAID and LVM RAID need.
 * Devices are named the way the booted system finds them: GPT partitions by label
 * (`/dev/disk/by-partlabel/disk-main-root`), file systems on msdos partitions or whole
 * disks by file system label, LUKS as `/dev/mapper/<name>`, LVM as `/dev/<vg>/<lv>`, md as
 * `/dev/md/<name>`. Deterministic: entries are sorted. Expects a layout
 * {@link parseLayout} accepts.
 *
 * @example
 * ```ts
 * const layout = parseLayout(json);
 * if (layout.isOk()) writeFileSync("disks.nix", layoutToNixosModule(layout.value));
 * ```
 */
export function layoutToNixosModule(layout: Layout): string {
  const lines = ["# The file systems of a disk layout, as nixos-via creates them.", "{"];
  const mounts = mountsOf(layout).sort((a, b) => compare(a.mountpoint, b.mountpoint));
  for (const m of mounts) {
    lines.push(`  fileSystems.${nixString(m.mountpoint)} = {`);
    lines.push(`    device = ${nixString(m.bootDevice ?? m.installDevice)};`);
    lines.push(`    fsType = ${nixString(m.fsType)};`);
    lines.push(`    options = ${nixValue(m.options, "    ")};`);
    lines.push("  };");
  }

  const sites = walkLayout(layout);
  const swaps: string[][] = [];
  const resume: string[] = [];
  const luks: [string, string[]][] = [];
  const kernelModules = new Set<string>();
  for (const site of sites) {
    const c = site.content;
    const device = site.bootDevice ?? site.installDevice;
    if (c.type === "swap") {
      swaps.push([
        `device = ${nixString(device)};`,
        ...(c.discardPolicy === undefined ? [] : [`discardPolicy = ${nixString(c.discardPolicy)};`]),
        ...(c.priority === undefined ? [] : [`priority = ${c.priority};`]),
        ...(c.mountOptions === undefined ? [] : [`options = ${nixValue(c.mountOptions, "      ")};`]),
        // As disko: discards reach the device through dm-crypt when a discard policy is set.
        ...(c.randomEncryption === true ? [`randomEncryption = { enable = true; allowDiscards = ${c.discardPolicy !== undefined}; };`] : []),
      ]);
      if (c.resumeDevice === true) resume.push(device);
    } else if (c.type === "luks" && c.initrdUnlock !== false) {
      const settings = c.settings ?? {};
      luks.push([
        c.name,
        [
          `device = ${nixString(device)};`,
          ...Object.keys(settings)
            .sort()
            .map((k) => `${nixName(k)} = ${nixValue(settings[k], "    ")};`),
        ],
      ]);
    }
  }
  for (const group of Object.values(layout.lvm_vg ?? {})) {
    // disko's modules: dm-snapshot for every volume group (snapshots present at boot), and
    // per LV type its dm target and RAID personality.
    kernelModules.add("dm-snapshot");
    for (const lv of Object.values(group.lvs ?? {})) for (const m of lvKernelModules(lv.lvm_type)) kernelModules.add(m);
  }
  const grubDevices = Object.values(layout.disk ?? {})
    .filter((d) => d.device !== undefined && d.content?.type === "gpt" && Object.values(d.content.partitions).some((p) => p.type === "EF02"))
    .map((d) => d.device as string);

  if (swaps.length > 0) {
    lines.push("  swapDevices = [");
    for (const swap of swaps.sort((a, b) => compare(a[0] ?? "", b[0] ?? ""))) {
      lines.push("    {", ...swap.map((l) => `      ${l}`), "    }");
    }
    lines.push("  ];");
  }
  const firstResume = resume.sort()[0];
  if (firstResume !== undefined) lines.push(`  boot.resumeDevice = ${nixString(firstResume)};`);
  for (const [name, body] of luks.sort((a, b) => compare(a[0], b[0]))) {
    lines.push(`  boot.initrd.luks.devices.${nixString(name)} = {`, ...body.map((l) => `    ${l}`), "  };");
  }
  if (Object.keys(layout.mdadm ?? {}).length > 0) lines.push("  boot.swraid.enable = true;");
  if (kernelModules.size > 0) lines.push(`  boot.initrd.kernelModules = ${nixValue([...kernelModules].sort(), "  ")};`);
  if (grubDevices.length > 0) lines.push(`  boot.loader.grub.devices = ${nixValue(grubDevices.sort(), "  ")};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** The initrd modules disko adds for an LV of this type. */
function lvKernelModules(type: LogicalVolume["lvm_type"]): string[] {
  if (type === undefined) return [];
  const raid = type === "raid0" ? ["raid0"] : type === "raid1" ? ["raid1"] : type === "raid4" || type === "raid5" || type === "raid6" ? ["raid456"] : [];
  return [...(type === "thinlv" ? [] : [`dm-${type}`]), type === "mirror" ? "dm-mirror" : "dm-raid", ...raid];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function nixString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\$\{/g, "\\${").replace(/\n/g, "\\n")}"`;
}

function nixName(s: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(s) ? s : nixString(s);
}

function nixValue(v: unknown, indent: string): string {
  if (typeof v === "string") return nixString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return v.length === 0 ? "[ ]" : `[ ${v.map((x) => nixValue(x, indent)).join(" ")} ]`;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  if (keys.length === 0) return "{ }";
  const inner = `${indent}  `;
  return `{\n${keys.map((k) => `${inner}${nixName(k)} = ${nixValue(obj[k], inner)};`).join("\n")}\n${indent}}`;
}
