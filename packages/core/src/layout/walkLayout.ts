import type { Content, GptTable, Layout, LogicalVolume, MsdosTable } from "./Layout.js";
import { numberMsdosPartitions, orderGptPartitions, type TableOwner } from "./orderPartitions.js";
import { ownValue } from "./ownValue.js";
import { diskName } from "./parse/readDisk.js";

/** Where a content node sits, as the planner, the checks and the NixOS module see it. */
export interface ContentSite {
  /** JSON path of the content node, e.g. `disk.main.content.partitions.root.content`. */
  readonly path: string;
  readonly content: Content;
  /** What holds it directly. */
  readonly parent: "gpt" | "msdos" | "disk" | "luks" | "lv" | "mdadm";
  /** The device at install time: a path, or a partition reference `@part:N:LABEL:DISK`. */
  readonly installDevice: string;
  /** The device in the installed system; undefined when it has no stable name. */
  readonly bootDevice: string | undefined;
  /** The file system label nixos-via sets, for contents without a partition label. */
  readonly fsLabel: string | undefined;
  /** Human words for the device: `disk main, partition 2 (disk-main-root)`. */
  readonly description: string;
  /** The disk (its key) whose partition holds the content directly, when there is one. */
  readonly partitionOf?: { readonly disk: string; readonly number: number };
}

/**
 * How udev names a label under /dev/disk/by-partlabel: disko's hexEscapeUdevSymlink, every
 * character but `0-9A-Za-z#+-.:=@_/` (and `,`, inside its range `+-.`) as `\xHH`.
 */
export function udevEscape(label: string): string {
  return [...label].map((c) => (/[0-9A-Za-z#+,\-.:=@_/]/.test(c) ? c : `\\x${c.codePointAt(0)!.toString(16).toUpperCase()}`)).join("");
}

/** The name disko gives a disk: its `name`, else its key with each `/` as `_`. */
export function nameOfDisk(key: string, disk: { readonly name?: string } | undefined): string {
  return disk?.name ?? diskName(key);
}

/** How a partition is named in steps: resolved on the target by the layout script. */
export function partitionRef(diskDevice: string, number: number, label: string): string {
  return `@part:${number}:${label}:${diskDevice}`;
}

/** Logical volumes in disko's creation order (its `priority`), ties by name. */
export function orderLogicalVolumes(lvs: Readonly<Record<string, LogicalVolume>>): [string, LogicalVolume][] {
  // disko's order: priority, by default 1000 (501 for a thin pool, which its thin volumes
  // need first), plus 251 for sizes with "100%" (they take what is left); ties by name.
  const priority = (lv: LogicalVolume) => lv.priority ?? (lv.lvm_type === "thin-pool" ? 501 : 1000) + (lv.size.includes("100%") ? 251 : 0);
  return Object.keys(lvs)
    .sort()
    .map((key): [string, LogicalVolume] => [key, lvs[key] as LogicalVolume])
    .sort((a, b) => priority(a[1]) - priority(b[1]));
}

/**
 * Every content node in creation order: disks by name (partitions in creation order,
 * contents depth first), then mdadm arrays by name, then volume groups by name.
 */
export function walkLayout(layout: Layout, devices: Readonly<Record<string, string>> = {}): ContentSite[] {
  const sites: ContentSite[] = [];
  const visit = (site: ContentSite): void => {
    sites.push(site);
    const c = site.content;
    if (c.type === "luks" && c.content !== undefined) {
      const mapper = `/dev/mapper/${c.name}`;
      visit({
        path: `${site.path}.content`,
        content: c.content,
        parent: "luks",
        installDevice: mapper,
        bootDevice: mapper,
        fsLabel: undefined,
        description: mapper,
      });
    }
  };

  const visitGpt = (owner: TableOwner, key: string, device: string, words: string, path: string, table: GptTable): void => {
    for (const p of orderGptPartitions(owner, table)) {
      if (p.partition.content === undefined) continue;
      // udev makes no by-partlabel links for md partitions; disko names them by the array's name.
      const bootDevice =
        p.partition.uuid !== undefined
          ? `/dev/disk/by-partuuid/${p.partition.uuid}`
          : owner.type === "mdadm"
            ? `/dev/disk/by-id/md-name-any:${owner.name}-part${p.number}`
            : `/dev/disk/by-partlabel/${udevEscape(p.label)}`;
      visit({
        path: `${path}.partitions.${p.key}.content`,
        content: p.partition.content,
        parent: "gpt",
        installDevice: partitionRef(device, p.number, p.label),
        bootDevice,
        fsLabel: undefined,
        description: `${words}, partition ${p.number} (${p.label})`,
        ...(owner.type === "disk" ? { partitionOf: { disk: key, number: p.number } } : {}),
      });
    }
  };
  const visitTable = (key: string, device: string, path: string, table: MsdosTable): void => {
    for (const p of numberMsdosPartitions(table)) {
      if (p.partition.content === undefined) continue;
      const gpt = table.format === "gpt";
      const fsLabel = gpt ? undefined : p.partition.name;
      const label = gpt ? (p.partition.name ?? "") : "";
      visit({
        path: `${path}.partitions[${p.index}].content`,
        content: p.partition.content,
        parent: gpt ? "gpt" : "msdos",
        installDevice: partitionRef(device, p.number, label),
        bootDevice: gpt ? `/dev/disk/by-partlabel/${udevEscape(label)}` : fsLabel === undefined ? undefined : `/dev/disk/by-label/${fsLabel}`,
        fsLabel,
        description: `disk ${key}, partition ${p.number}${gpt ? ` (${label})` : ""}`,
        partitionOf: { disk: key, number: p.number },
      });
    }
  };

  const disks = layout.disk ?? {};
  for (const key of Object.keys(disks).sort()) {
    const disk = disks[key];
    const content = disk?.content;
    if (content === undefined) continue;
    const name = nameOfDisk(key, disk);
    const device = ownValue(devices, key) ?? `<disk ${key}>`;
    const path = `disk.${key}.content`;
    if (content.type === "gpt" || content.type === "table") {
      // The table itself is written in the partition phase; its site carries its hooks.
      visit({ path, content, parent: "disk", installDevice: device, bootDevice: undefined, fsLabel: undefined, description: `disk ${key}` });
      if (content.type === "gpt") visitGpt({ type: "disk", name }, key, device, `disk ${key}`, path, content);
      else visitTable(key, device, path, content);
    } else {
      visit({
        path,
        content,
        parent: "disk",
        installDevice: device,
        bootDevice: `/dev/disk/by-label/${name}`,
        fsLabel: name,
        description: `disk ${key}`,
      });
    }
  }

  const arrays = layout.mdadm ?? {};
  for (const name of Object.keys(arrays).sort()) {
    const content = arrays[name]?.content;
    if (content === undefined) continue;
    const device = `/dev/md/${name}`;
    const path = `mdadm.${name}.content`;
    visit({ path, content, parent: "mdadm", installDevice: device, bootDevice: content.type === "gpt" ? undefined : device, fsLabel: undefined, description: device });
    if (content.type === "gpt") visitGpt({ type: "mdadm", name }, name, device, device, path, content);
  }

  const groups = layout.lvm_vg ?? {};
  for (const vg of Object.keys(groups).sort()) {
    for (const [key, lv] of orderLogicalVolumes(groups[vg]?.lvs ?? {})) {
      if (lv.content === undefined) continue;
      const device = `/dev/${vg}/${lv.name ?? key}`;
      visit({
        path: `lvm_vg.${vg}.lvs.${key}.content`,
        content: lv.content,
        parent: "lv",
        installDevice: device,
        bootDevice: device,
        fsLabel: undefined,
        description: device,
      });
    }
  }
  return sites;
}

/** One mounted file system, with where it comes from. */
export interface MountSite {
  /** In the installed system, e.g. `/boot`. */
  readonly mountpoint: string;
  readonly fsType: string;
  readonly options: readonly string[];
  /** Path of the node that declares the mountpoint. */
  readonly path: string;
  readonly installDevice: string;
  readonly bootDevice: string | undefined;
  readonly description: string;
  /** Path of the node that is mounted (a file system, a btrfs, a nodev entry): whose mount hooks run around it. */
  readonly node: string;
}

/** Every mount a layout declares, in declaration (creation) order. */
export function mountsOf(layout: Layout, devices: Readonly<Record<string, string>> = {}): MountSite[] {
  const mounts: MountSite[] = [];
  for (const site of walkLayout(layout, devices)) {
    const c = site.content;
    const base = { installDevice: site.installDevice, bootDevice: site.bootDevice, description: site.description, node: site.path };
    if (c.type === "filesystem" && c.mountpoint !== undefined) {
      mounts.push({
        ...base,
        mountpoint: c.mountpoint,
        fsType: c.format,
        options: c.mountOptions ?? ["defaults"],
        path: `${site.path}.mountpoint`,
      });
    } else if (c.type === "btrfs") {
      if (c.mountpoint !== undefined) {
        mounts.push({
          ...base,
          mountpoint: c.mountpoint,
          fsType: "btrfs",
          options: c.mountOptions ?? ["defaults"],
          path: `${site.path}.mountpoint`,
        });
      }
      const subvolumes = c.subvolumes ?? {};
      for (const key of Object.keys(subvolumes).sort()) {
        const sub = subvolumes[key];
        if (sub?.mountpoint === undefined) continue;
        mounts.push({
          ...base,
          mountpoint: sub.mountpoint,
          fsType: "btrfs",
          options: [...(sub.mountOptions ?? ["defaults"]), `subvol=${sub.name ?? key}`],
          path: `${site.path}.subvolumes.${key}.mountpoint`,
          description: `${site.description}, subvolume ${sub.name ?? key}`,
        });
      }
    }
  }
  const nodev = layout.nodev ?? {};
  for (const key of Object.keys(nodev).sort()) {
    const fs = nodev[key];
    if (fs === undefined) continue;
    const device = fs.device ?? "none";
    mounts.push({
      mountpoint: fs.mountpoint ?? key,
      fsType: fs.fsType,
      options: fs.mountOptions ?? ["defaults"],
      path: fs.mountpoint === undefined ? `nodev.${key}` : `nodev.${key}.mountpoint`,
      installDevice: device,
      bootDevice: device,
      description: `${fs.fsType} ${key}`,
      node: `nodev.${key}`,
    });
  }
  return mounts;
}
