import type { Content, GptTable, Layout, LogicalVolume } from "./Layout.js";
import type { LayoutProblem } from "./LayoutValidationError.js";
import { orderDevices } from "./orderDevices.js";
import { MAX_PARTLABEL, numberMsdosPartitions, orderGptPartitions, type TableOwner } from "./orderPartitions.js";
import { ownValue } from "./ownValue.js";
import { hasControlCharacters } from "./printable.js";
import { LAYOUT_DEVICE_ARG } from "./parse/readArgs.js";
import { mountsOf, nameOfDisk, orderLogicalVolumes, walkLayout } from "./walkLayout.js";

/** How long a file system label may be, by format. */
const MAX_FS_LABEL: Readonly<Record<string, number>> = {
  vfat: 11,
  ext2: 16,
  ext3: 16,
  ext4: 16,
  xfs: 12,
  btrfs: 255,
  swap: 16,
};

/**
 * The checks that span more than one node: references between nodes, names that must be
 * unique, mountpoints. Runs on a layout whose nodes each have the right shape. A layout
 * need not mount `/` (a data disk): an install checks that with {@link mountsRoot}.
 */
export function checkLayout(layout: Layout): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const disks = layout.disk ?? {};

  const partLabels = new Map<string, string>();
  const checkLabel = (label: string, labelPath: string, explicit: boolean): void => {
    if (explicit && new TextEncoder().encode(label).length > MAX_PARTLABEL) add(labelPath, `partition label "${label}" is longer than ${MAX_PARTLABEL} characters`);
    if (label === "" || label === "." || label === ".." || /[:/]/.test(label) || hasControlCharacters(label)) {
      add(labelPath, `"${label}" is not a usable partition label (printable, not empty, "." or "..", no : or /)`);
    }
    const other = partLabels.get(label);
    if (other === undefined) partLabels.set(label, labelPath);
    else add(labelPath, `partition label "${label}" is also used by ${other}; /dev/disk/by-partlabel/${label} would be ambiguous`);
  };
  const checkGpt = (owner: TableOwner, tablePath: string, table: GptTable): void => {
    let whole: string | undefined;
    for (const p of orderGptPartitions(owner, table)) {
      const path = `${tablePath}.partitions.${p.key}`;
      if (p.partition.size === undefined && p.partition.end === undefined) add(path, "needs a size or an end");
      if (p.partition.size === "100%") {
        if (whole === undefined) whole = path;
        else add(`${path}.size`, `only one partition of a disk can take "100%"; ${whole} does too`);
      }
      checkLabel(p.label, p.partition.label === undefined ? path : `${path}.label`, p.partition.label !== undefined);
    }
  };
  for (const key of Object.keys(disks).sort()) {
    const content = disks[key]?.content;
    const tablePath = `disk.${key}.content`;
    if (content?.type === "gpt") checkGpt({ type: "disk", name: nameOfDisk(key, disks[key]) }, tablePath, content);
    else if (content?.type === "table" && content.format === "gpt") {
      for (const p of numberMsdosPartitions(content)) {
        const path = `${tablePath}.partitions[${p.index}].name`;
        // parted reads the name as a word of its own command line: quotes would end it.
        if (/["']/.test(p.partition.name ?? "")) add(path, `"${p.partition.name}" holds a quote, which parted would read as the end of the name`);
        checkLabel(p.partition.name ?? "", path, true);
      }
    } else if (content?.type === "table") {
      const numbered = numberMsdosPartitions(content);
      const primaries = numbered.filter((p) => p.partType !== "logical").length;
      const extended = numbered.filter((p) => p.partType === "extended");
      if (primaries > 4) add(`${tablePath}.partitions`, `an msdos table holds at most 4 primary and extended partitions, not ${primaries}`);
      if (extended.length > 1) add(`${tablePath}.partitions[${extended[1]?.index}]`, "an msdos table holds at most one extended partition");
      for (const p of numbered) {
        const path = `${tablePath}.partitions[${p.index}]`;
        if (p.partType === "logical" && extended.length === 0) add(`${path}.part-type`, "a logical partition needs an extended partition before it");
        if (p.partType === "extended" && p.partition.content !== undefined) add(`${path}.content`, "an extended partition holds logical partitions, not content");
      }
    }
  }

  const fsLabels = new Map<string, string>();
  const luksNames = new Map<string, string>();
  const pvs = new Map<string, number>();
  const members = new Map<string, number>();
  const groups = layout.lvm_vg ?? {};
  const arrays = layout.mdadm ?? {};
  for (const name of Object.keys(arrays).sort()) {
    const content = arrays[name]?.content;
    if (content?.type === "gpt") checkGpt({ type: "mdadm", name }, `mdadm.${name}.content`, content);
  }
  const created = createdDevices(layout);
  for (const site of walkLayout(layout)) {
    const c = site.content;
    for (const [key, args] of argLists(c)) {
      for (const arg of args) {
        if (LAYOUT_DEVICE_ARG.test(arg) && !created.has(arg)) add(`${site.path}.${key}`, `"${arg}" names a device this layout does not create, which --wipe and the in-use check would not cover`);
      }
    }
    if (c.type === "filesystem" || c.type === "btrfs" || c.type === "swap") {
      if (site.parent === "msdos" && site.fsLabel === undefined) {
        add(
          site.path.replace(/\.content$/, ".name"),
          "required: the file system on an msdos partition is found by its label, which is the partition's name",
        );
      }
      if (site.fsLabel !== undefined) {
        const format = c.type === "filesystem" ? c.format : c.type;
        const max = MAX_FS_LABEL[format] ?? 16;
        if (site.fsLabel.length > max) add(site.path, `the ${format} label "${site.fsLabel}" is longer than ${max} characters`);
        const other = fsLabels.get(site.fsLabel);
        if (other === undefined) fsLabels.set(site.fsLabel, site.path);
        else add(site.path, `file system label "${site.fsLabel}" is also used by ${other}; /dev/disk/by-label would be ambiguous`);
      }
    } else if (c.type === "luks") {
      if (site.parent === "msdos" || site.parent === "disk") {
        add(site.path, "luks needs a GPT partition, a logical volume or an md array beneath it: here it would have no stable device name to unlock at boot");
      }
      const other = luksNames.get(c.name);
      if (other === undefined) luksNames.set(c.name, site.path);
      else add(`${site.path}.name`, `/dev/mapper/${c.name} is also opened by ${other}`);
    } else if (c.type === "lvm_pv") {
      if (ownValue(groups, c.vg) === undefined) add(`${site.path}.vg`, `volume group "${c.vg}" is not defined in lvm_vg`);
      pvs.set(c.vg, (pvs.get(c.vg) ?? 0) + 1);
    } else if (c.type === "mdraid") {
      if (ownValue(arrays, c.name) === undefined) add(`${site.path}.name`, `md array "${c.name}" is not defined in mdadm`);
      members.set(c.name, (members.get(c.name) ?? 0) + 1);
    }
  }
  for (const vg of Object.keys(groups).sort()) {
    if (!pvs.has(vg)) add(`lvm_vg.${vg}`, `no lvm_pv names this volume group`);
    const lvs = groups[vg]?.lvs ?? {};
    for (const [key, lv] of orderLogicalVolumes(lvs)) {
      for (const arg of lv.extraArgs ?? []) {
        if (LAYOUT_DEVICE_ARG.test(arg) && !created.has(arg)) add(`lvm_vg.${vg}.lvs.${key}.extraArgs`, `"${arg}" names a device this layout does not create`);
      }
      if (lv.lvm_type !== "thinlv" || lv.pool === undefined) continue;
      const pool = Object.entries(lvs).find(([k, other]) => (other.name ?? k) === lv.pool)?.[1];
      if (pool?.lvm_type !== "thin-pool") add(`lvm_vg.${vg}.lvs.${key}.pool`, `"${lv.pool}" is not a thin-pool logical volume of ${vg}`);
    }
  }
  const { cycle } = orderDevices(layout);
  for (const d of cycle) add(`${d.kind}.${d.name}`, "is built on devices that are built on it: the layout has a cycle");
  for (const md of Object.keys(arrays).sort()) {
    if (!members.has(md)) add(`mdadm.${md}`, `no mdraid content names this array`);
  }

  const mounted = new Map<string, string>();
  for (const mount of mountsOf(layout)) {
    const other = mounted.get(mount.mountpoint);
    if (other === undefined) mounted.set(mount.mountpoint, mount.path);
    else add(mount.path, `"${mount.mountpoint}" is also mounted by ${other}`);
  }
  return problems;
}

/** Whether the layout mounts `/`: an install needs a root; a data-disk layout alone does not. */
export function mountsRoot(layout: Layout): boolean {
  return mountsOf(layout).some((m) => m.mountpoint === "/");
}

/** The devices the layout's own steps create, which arguments may name: LUKS mappings, md arrays, logical volumes. */
function createdDevices(layout: Layout): Set<string> {
  const created = new Set<string>();
  for (const site of walkLayout(layout)) if (site.content.type === "luks") created.add(`/dev/mapper/${site.content.name}`);
  for (const name of Object.keys(layout.mdadm ?? {})) created.add(`/dev/md/${name}`);
  for (const [vg, group] of Object.entries(layout.lvm_vg ?? {})) {
    for (const [key, lv] of Object.entries(group.lvs ?? {}) as [string, LogicalVolume][]) created.add(`/dev/${vg}/${lv.name ?? key}`);
  }
  return created;
}

/** The argument lists of a content node, by key. */
function argLists(c: Content): [string, readonly string[]][] {
  if (c.type === "filesystem" || c.type === "swap") return [["extraArgs", c.extraArgs ?? []]];
  if (c.type === "btrfs") return [["extraArgs", c.extraArgs ?? []], ...Object.entries(c.subvolumes ?? {}).map(([k, s]): [string, readonly string[]] => [`subvolumes.${k}.extraArgs`, s.extraArgs ?? []])];
  if (c.type === "luks") return [["extraFormatArgs", c.extraFormatArgs ?? []], ["extraOpenArgs", c.extraOpenArgs ?? []]];
  return [];
}
