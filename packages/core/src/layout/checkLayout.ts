import type { Layout } from "./Layout.js";
import type { LayoutProblem } from "./LayoutValidationError.js";
import { numberMsdosPartitions, orderGptPartitions } from "./orderPartitions.js";
import { ownValue } from "./ownValue.js";
import { mountsOf, walkLayout } from "./walkLayout.js";

/** GPT partition names are at most 36 UTF-16 code units. */
const MAX_PARTLABEL = 36;

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
 * unique, mountpoints. Runs on a layout whose nodes each have the right shape.
 */
export function checkLayout(layout: Layout): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const disks = layout.disk ?? {};

  const partLabels = new Map<string, string>();
  for (const name of Object.keys(disks).sort()) {
    const content = disks[name]?.content;
    const tablePath = `disk.${name}.content`;
    if (content?.type === "gpt") {
      let whole: string | undefined;
      for (const p of orderGptPartitions(name, content)) {
        const path = `${tablePath}.partitions.${p.key}`;
        if (p.partition.size === undefined && p.partition.end === undefined) add(path, "needs a size or an end");
        if (p.partition.size === "100%") {
          if (whole === undefined) whole = path;
          else add(`${path}.size`, `only one partition of a disk can take "100%"; ${whole} does too`);
        }
        const labelPath = p.partition.label === undefined ? path : `${path}.label`;
        if (p.label.length > MAX_PARTLABEL) {
          add(labelPath, `partition label "${p.label}" is longer than ${MAX_PARTLABEL} characters`);
        }
        const other = partLabels.get(p.label);
        if (other === undefined) partLabels.set(p.label, path);
        else {
          add(
            labelPath,
            `partition label "${p.label}" is also used by ${other}; /dev/disk/by-partlabel/${p.label} would be ambiguous`,
          );
        }
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
  for (const site of walkLayout(layout)) {
    const c = site.content;
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
  }
  for (const md of Object.keys(arrays).sort()) {
    if (!members.has(md)) add(`mdadm.${md}`, `no mdraid content names this array`);
  }

  const mounted = new Map<string, string>();
  for (const mount of mountsOf(layout)) {
    const other = mounted.get(mount.mountpoint);
    if (other === undefined) mounted.set(mount.mountpoint, mount.path);
    else add(mount.path, `"${mount.mountpoint}" is also mounted by ${other}`);
  }
  if (!mounted.has("/")) add("", `nothing is mounted at "/": the layout needs a root file system`);
  return problems;
}
