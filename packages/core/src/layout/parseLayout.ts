import { err, ok, type Result } from "neverthrow";
import { checkLayout } from "./checkLayout.js";
import type {
  Btrfs,
  BtrfsSubvolume,
  Content,
  Disk,
  DiskContent,
  Filesystem,
  GptPartition,
  Layout,
  LogicalVolume,
  Luks,
  LvmVolumeGroup,
  MdadmArray,
  MsdosPartition,
  NodevFilesystem,
  Swap,
} from "./Layout.js";
import { LayoutValidationError, type LayoutProblem } from "./LayoutValidationError.js";
import { hasControlCharacters } from "./printable.js";

type Json = Record<string, unknown>;
type Parent = "disk" | "partition" | "luks" | "lv" | "mdadm";

/**
 * Names become paths (`/dev/mapper/<name>`, `/dev/md/<name>`, `/dev/<vg>/<lv>`, labels
 * under `/dev/disk`), so `.` and `..` are refused; `__proto__` is refused because a
 * JavaScript object that is not built with care drops it.
 */
const NAME = /^(?!\.\.?$|__proto__$)[A-Za-z0-9_.+][A-Za-z0-9_.+-]*$/;
const PARTLABEL = /^(?!\.\.?$)[A-Za-z0-9_.+-]+$/;
/** A path inside the file system: `..` or `.` segments would lead out of it on the installing machine. */
const SUBVOLUME = /^\/?(?!\.\.?(\/|$))[A-Za-z0-9_.+@-]+(\/(?!\.\.?(\/|$))[A-Za-z0-9_.+@-]+)*$/;
const GPT_SIZE = /^([0-9]+[KMGTP]?|100%)$/;
const GPT_POSITION = /^[+-]?[0-9]+[KMGTP]?$/;
const GPT_TYPE = /^([0-9A-Fa-f]{4}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;
/** parted reads a unit by its suffix, case-insensitively; `C,H,S` is a position too. */
const PARTED_POSITION = /^-?([0-9]+(\.[0-9]+)?)(s|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib|%|cyl|chs)?$/i;
const PARTED_CHS = /^[0-9]+,[0-9]+,[0-9]+$/;
const LV_SIZE = /^([0-9]+(\.[0-9]+)?[bBsSkKmMgGtTpPeE]?|[0-9]+%(FREE|VG|PVS|ORIGIN)?)$/;
const UNSAFE_ARG = /["'`$\\|;&<>(){}*?]/;
/** A path under /dev (absolute, relative or as an option's value) or a partition reference. */
const DEVICE_ARG = /(^|[=,:/])dev\/|@part:/;

const FORMATS = ["ext2", "ext3", "ext4", "vfat", "xfs", "btrfs"] as const;
const FS_TYPES = ["btrfs", "ext2", "ext3", "ext4", "fat16", "fat32", "linux-swap", "xfs"] as const;
const PART_TYPES = ["primary", "extended", "logical"] as const;
const DISCARD = ["once", "pages", "both"] as const;
const LVM_TYPES = ["mirror", "raid0", "raid1", "raid5", "raid6"] as const;
const METADATA = ["1", "1.0", "1.1", "1.2", "default", "ddf", "imsm"] as const;
/** disko runs these as shell code around its own steps; nixos-via does not run layout shell code. */
const HOOKS = ["preCreateHook", "postCreateHook", "preMountHook", "postMountHook", "preUnmountHook", "postUnmountHook"];

/**
 * Reads a disko layout: the JSON `builtins.toJSON config.disko.devices` prints (or the
 * same shape written by hand). Every problem is collected, each with its JSON path, and
 * returned at once; nothing unsupported is silently ignored.
 *
 * Accepted and ignored on purpose: keys starting with `_` (disko internals), `device` on
 * every node but a disk (disko derives it from the parent; nixos-via addresses devices
 * itself; a disk's own is read by {@link resolveDiskDevices}), a disk's `imageSize`/`imageName`,
 * `name` when it equals its key, empty hooks, `askPassword: false`, empty
 * `additionalKeyFiles`, a disabled btrfs `swap`. Refused by name: `zpool`,
 * `bcachefs_filesystems`, content types `zfs`, `bcachefs`, anything unknown, non-empty
 * hooks, `askPassword: true`, key files to add, btrfs swap files, any other key.
 *
 * @example
 * ```ts
 * const layout = parseLayout(JSON.parse(text));
 * if (layout.isErr()) console.error(layout.error.details);
 * ```
 */
export function parseLayout(json: unknown): Result<Layout, LayoutValidationError> {
  const problems: LayoutProblem[] = [];
  const layout = readLayout(json, (path, message) => problems.push({ path, message }));
  if (problems.length === 0) problems.push(...checkLayout(layout));
  else if (isObject(json)) {
    // Cross-checks on a partly broken layout would report follow-up noise; report them
    // only when they do not repeat a path already reported.
    const seen = new Set(problems.map((p) => p.path));
    problems.push(...checkLayout(layout).filter((p) => ![...seen].some((s) => s !== "" && p.path.startsWith(s))));
  }
  return problems.length === 0 ? ok(layout) : err(new LayoutValidationError(problems));
}

type Add = (path: string, message: string) => void;

function readLayout(json: unknown, add: Add): Layout {
  if (!isObject(json)) {
    add("", `a layout is a JSON object with disk, lvm_vg, mdadm and nodev, not ${describe(json)}`);
    return {};
  }
  const layout: { disk?: Record<string, Disk>; lvm_vg?: Record<string, LvmVolumeGroup>; mdadm?: Record<string, MdadmArray>; nodev?: Record<string, NodevFilesystem> } = {};
  for (const key of Object.keys(json)) {
    const value = json[key];
    if (key === "disk") layout.disk = readEntries(value, key, add, readDisk);
    else if (key === "lvm_vg") layout.lvm_vg = readEntries(value, key, add, readVolumeGroup);
    else if (key === "mdadm") layout.mdadm = readEntries(value, key, add, readMdadm);
    else if (key === "nodev") layout.nodev = readEntries(value, key, add, readNodev);
    else if (key === "zpool" || key === "bcachefs_filesystems") {
      if (isObject(value) && Object.keys(value).length === 0) continue;
      add(key, key === "zpool" ? "ZFS pools are not supported" : "bcachefs file systems are not supported");
    } else if (!key.startsWith("_")) add(key, "unknown key");
  }
  return layout;
}

function readEntries<T>(value: unknown, path: string, add: Add, read: (v: Json, path: string, name: string, add: Add) => T | undefined): Record<string, T> {
  const out = emptyRecord<T>();
  if (!isObject(value)) {
    add(path, `expected an object of named entries, not ${describe(value)}`);
    return out;
  }
  for (const name of Object.keys(value)) {
    const p = `${path}.${name}`;
    // nodev entries are usually named by their mountpoint, which is checked as one.
    if (path !== "nodev") checkName(name, p, add);
    const v = value[name];
    if (!isObject(v)) {
      add(p, `expected an object, not ${describe(v)}`);
      continue;
    }
    const entry = read(v, p, name, add);
    if (entry !== undefined) out[name] = entry;
  }
  return out;
}

function readDisk(v: Json, path: string, name: string, add: Add): Disk | undefined {
  keys(v, path, add, ["type", "device", "content", "name", "imageSize", "imageName"]);
  hooks(v, path, add);
  sameName(v, path, name, add);
  if (v.type !== "disk") add(`${path}.type`, `expected "disk", not ${describe(v.type)}`);
  const device = optString(v, "device", path, add);
  const content = v.content === undefined || v.content === null ? undefined : readContent(v.content, `${path}.content`, "disk", add);
  return { type: "disk", ...(device === undefined ? {} : { device }), ...(content === undefined ? {} : { content: content as DiskContent }) };
}

function readContent(value: unknown, path: string, parent: Parent, add: Add): DiskContent | undefined {
  if (!isObject(value)) {
    add(path, `expected a content object, not ${describe(value)}`);
    return undefined;
  }
  const type = value.type;
  hooks(value, path, add);
  const allowed: Record<Parent, readonly string[]> = {
    disk: ["gpt", "table", "filesystem", "btrfs", "swap", "luks", "lvm_pv", "mdraid"],
    partition: ["filesystem", "btrfs", "swap", "luks", "lvm_pv", "mdraid"],
    luks: ["filesystem", "btrfs", "swap", "lvm_pv"],
    lv: ["filesystem", "btrfs", "swap", "luks"],
    mdadm: ["filesystem", "btrfs", "swap", "luks", "lvm_pv"],
  };
  if (typeof type !== "string") {
    add(`${path}.type`, `required: the content type, not ${describe(type)}`);
    return undefined;
  }
  if (type === "zfs" || type === "zpool" || type === "zfs_fs" || type === "zfs_volume") {
    add(`${path}.type`, `"${type}" is not supported: nixos-via does not create ZFS pools`);
    return undefined;
  }
  if (type.startsWith("bcachefs") || type === "bcache") {
    add(`${path}.type`, `"${type}" is not supported: nixos-via does not create bcache or bcachefs`);
    return undefined;
  }
  const known = ["gpt", "table", "filesystem", "btrfs", "swap", "luks", "lvm_pv", "mdraid"];
  if (!known.includes(type)) {
    add(`${path}.type`, `unknown content type "${type}"`);
    return undefined;
  }
  if (!allowed[parent].includes(type)) {
    const where = { disk: "a disk", partition: "a partition", luks: "a luks device", lv: "a logical volume", mdadm: "an md array" }[parent];
    const why = type === "gpt" || type === "table" ? "; a partition table can only be the content of a disk" : "";
    add(`${path}.type`, `"${type}" cannot be the content of ${where}${why}`);
    return undefined;
  }
  switch (type) {
    case "gpt":
      return readGpt(value, path, add);
    case "table":
      return readTable(value, path, add);
    default:
      return readVolume(value, path, type, add);
  }
}

function readGpt(v: Json, path: string, add: Add): DiskContent | undefined {
  keys(v, path, add, ["type", "device", "partitions"]);
  const partitions = emptyRecord<GptPartition>();
  const raw = v.partitions ?? {};
  if (!isObject(raw)) {
    add(`${path}.partitions`, `expected an object of named partitions, not ${describe(raw)}`);
    return { type: "gpt", partitions };
  }
  for (const key of Object.keys(raw)) {
    const p = `${path}.partitions.${key}`;
    checkName(key, p, add);
    const part = raw[key];
    if (!isObject(part)) {
      add(p, `expected an object, not ${describe(part)}`);
      continue;
    }
    keys(part, p, add, ["type", "size", "start", "end", "priority", "name", "label", "content", "device"]);
    hooks(part, p, add);
    const out: Record<string, unknown> = {};
    const type = optString(part, "type", p, add);
    if (type !== undefined && !GPT_TYPE.test(type)) add(`${p}.type`, `"${type}" is not a partition type code (4 hex digits like EF00) or GUID`);
    const size = optString(part, "size", p, add);
    if (size !== undefined && !GPT_SIZE.test(size)) add(`${p}.size`, `"${size}" is not a size (like 512M, 20G or 100%)`);
    for (const k of ["start", "end"] as const) {
      const s = optString(part, k, p, add);
      if (s !== undefined && !GPT_POSITION.test(s)) add(`${p}.${k}`, `"${s}" is not an sgdisk position (like 0, 1M, +512M or -0)`);
      if (s !== undefined) out[k] = s;
    }
    const priority = optInt(part, "priority", p, add);
    const name = optString(part, "name", p, add);
    checkName(name, `${p}.name`, add);
    const label = optString(part, "label", p, add);
    if (label !== undefined && !PARTLABEL.test(label)) add(`${p}.label`, `"${label}" is not a usable partition label (letters, digits, _ . + -)`);
    const content = part.content === undefined || part.content === null ? undefined : readContent(part.content, `${p}.content`, "partition", add);
    partitions[key] = {
      ...(type === undefined ? {} : { type }),
      ...(size === undefined ? {} : { size }),
      ...out,
      ...(priority === undefined ? {} : { priority }),
      ...(name === undefined ? {} : { name }),
      ...(label === undefined ? {} : { label }),
      ...(content === undefined ? {} : { content: content as Content }),
    };
  }
  return { type: "gpt", partitions };
}

function readTable(v: Json, path: string, add: Add): DiskContent | undefined {
  keys(v, path, add, ["type", "device", "format", "partitions"]);
  if (v.format !== "msdos") {
    add(`${path}.format`, v.format === "gpt" || v.format === undefined
      ? `table format "gpt" is not supported: use content type "gpt"`
      : `expected "msdos", not ${describe(v.format)}`);
  }
  const raw = v.partitions ?? [];
  const partitions: MsdosPartition[] = [];
  if (!Array.isArray(raw)) {
    add(`${path}.partitions`, `expected a list of partitions, not ${describe(raw)}`);
    return { type: "table", format: "msdos", partitions };
  }
  raw.forEach((part: unknown, i) => {
    const p = `${path}.partitions[${i}]`;
    if (!isObject(part)) {
      add(p, `expected an object, not ${describe(part)}`);
      return;
    }
    keys(part, p, add, ["name", "start", "end", "bootable", "fs-type", "part-type", "flags", "content"]);
    hooks(part, p, add);
    const name = optString(part, "name", p, add);
    checkName(name, `${p}.name`, add);
    const out: Record<string, unknown> = {};
    for (const k of ["start", "end"] as const) {
      const s = optString(part, k, p, add);
      if (s !== undefined && !isPartedPosition(s)) add(`${p}.${k}`, `"${s}" is not a parted position: use a number with a unit, like 1MiB, 512M, 2048s or 100%`);
      if (s !== undefined) out[k] = s;
    }
    const bootable = optBool(part, "bootable", p, add);
    const fsType = optEnum(part, "fs-type", p, add, FS_TYPES);
    const partType = optEnum(part, "part-type", p, add, PART_TYPES);
    const flags = optStrings(part, "flags", p, add);
    flags?.forEach((f, j) => {
      if (!NAME.test(f)) add(`${p}.flags[${j}]`, `"${f}" is not a parted flag`);
    });
    const content = part.content === undefined || part.content === null ? undefined : readContent(part.content, `${p}.content`, "partition", add);
    partitions.push({
      ...(name === undefined ? {} : { name }),
      ...out,
      ...(bootable === undefined ? {} : { bootable }),
      ...(fsType === undefined ? {} : { "fs-type": fsType }),
      ...(partType === undefined ? {} : { "part-type": partType }),
      ...(flags === undefined ? {} : { flags }),
      ...(content === undefined ? {} : { content: content as Content }),
    });
  });
  return { type: "table", format: "msdos", partitions };
}

function readVolume(v: Json, path: string, type: string, add: Add): Content | undefined {
  switch (type) {
    case "filesystem": {
      keys(v, path, add, ["type", "device", "format", "mountpoint", "mountOptions", "extraArgs"]);
      const format = v.format;
      if (!(FORMATS as readonly unknown[]).includes(format)) {
        add(`${path}.format`, typeof format === "string"
          ? `file system format "${format}" is not supported (${FORMATS.join(", ")})`
          : `required: one of ${FORMATS.join(", ")}`);
      }
      return {
        type: "filesystem",
        format: format as Filesystem["format"],
        ...mountFields(v, path, add),
        ...args(v, "extraArgs", path, add),
      };
    }
    case "btrfs": {
      keys(v, path, add, ["type", "device", "extraArgs", "mountpoint", "mountOptions", "subvolumes", "swap"]);
      noSwapFiles(v, path, add);
      const subvolumes = emptyRecord<BtrfsSubvolume>();
      const raw = v.subvolumes ?? {};
      if (!isObject(raw)) add(`${path}.subvolumes`, `expected an object of named subvolumes, not ${describe(raw)}`);
      else {
        for (const key of Object.keys(raw)) {
          const p = `${path}.subvolumes.${key}`;
          const sub = raw[key];
          if (!isObject(sub)) {
            add(p, `expected an object, not ${describe(sub)}`);
            continue;
          }
          keys(sub, p, add, ["type", "name", "mountpoint", "mountOptions", "extraArgs", "swap"]);
          noSwapFiles(sub, p, add);
          if (sub.type !== undefined && sub.type !== "btrfs_subvol") add(`${p}.type`, `expected "btrfs_subvol", not ${describe(sub.type)}`);
          const name = optString(sub, "name", p, add) ?? key;
          if (!SUBVOLUME.test(name)) add(sub.name === undefined ? p : `${p}.name`, `"${name}" is not a usable subvolume path`);
          subvolumes[key] = {
            ...(sub.name === undefined ? {} : { name }),
            ...mountFields(sub, p, add),
            ...args(sub, "extraArgs", p, add),
          };
        }
      }
      const btrfs: Btrfs = { type: "btrfs", ...args(v, "extraArgs", path, add), ...mountFields(v, path, add), subvolumes };
      return btrfs;
    }
    case "swap": {
      keys(v, path, add, ["type", "device", "discardPolicy", "resumeDevice", "randomEncryption", "priority", "extraArgs"]);
      const discardPolicy = v.discardPolicy === null ? undefined : optEnum(v, "discardPolicy", path, add, DISCARD);
      const resumeDevice = optBool(v, "resumeDevice", path, add);
      const randomEncryption = optBool(v, "randomEncryption", path, add);
      const priority = v.priority === null ? undefined : optInt(v, "priority", path, add);
      const swap: Swap = {
        type: "swap",
        ...(discardPolicy === undefined ? {} : { discardPolicy }),
        ...(resumeDevice === undefined ? {} : { resumeDevice }),
        ...(randomEncryption === undefined ? {} : { randomEncryption }),
        ...(priority === undefined ? {} : { priority }),
        ...args(v, "extraArgs", path, add),
      };
      return swap;
    }
    case "luks":
      return readLuks(v, path, add);
    case "lvm_pv": {
      keys(v, path, add, ["type", "device", "vg"]);
      const vg = optString(v, "vg", path, add);
      if (vg === undefined) add(`${path}.vg`, "required: the volume group this physical volume belongs to");
      return { type: "lvm_pv", vg: vg ?? "" };
    }
    default: {
      keys(v, path, add, ["type", "device", "name"]);
      const name = optString(v, "name", path, add);
      if (name === undefined) add(`${path}.name`, "required: the md array this device is a member of");
      return { type: "mdraid", name: name ?? "" };
    }
  }
}

function readLuks(v: Json, path: string, add: Add): Luks {
  keys(v, path, add, [
    "type", "device", "name", "passwordFile", "keyFile", "settings", "extraFormatArgs", "extraOpenArgs",
    "initrdUnlock", "askPassword", "additionalKeyFiles", "content",
  ]);
  const name = optString(v, "name", path, add);
  if (name === undefined) add(`${path}.name`, "required: the name it is opened as, /dev/mapper/<name>");
  else checkName(name, `${path}.name`, add);
  const passwordFile = v.passwordFile === null ? undefined : optPath(v, "passwordFile", path, add);
  const keyFile = v.keyFile === null ? undefined : optPath(v, "keyFile", path, add);
  let settings: Record<string, unknown> = {};
  if (v.settings !== undefined) {
    if (!isObject(v.settings)) add(`${path}.settings`, `expected an object, not ${describe(v.settings)}`);
    else {
      settings = Object.assign(emptyRecord<unknown>(), v.settings);
      const s = settings;
      if (s.keyFile !== undefined) optPath(s, "keyFile", `${path}.settings`, add);
      for (const k of ["keyFileSize", "keyFileOffset"]) if (s[k] !== undefined) optInt(s, k, `${path}.settings`, add);
      for (const k of ["allowDiscards", "bypassWorkqueues"]) if (s[k] !== undefined) optBool(s, k, `${path}.settings`, add);
    }
  }
  if (v.askPassword === true) add(`${path}.askPassword`, "nixos-via cannot ask for a passphrase while installing: give passwordFile or settings.keyFile");
  else if (v.askPassword !== undefined && v.askPassword !== false) add(`${path}.askPassword`, `expected a boolean, not ${describe(v.askPassword)}`);
  if (v.additionalKeyFiles !== undefined && !(Array.isArray(v.additionalKeyFiles) && v.additionalKeyFiles.length === 0)) {
    add(`${path}.additionalKeyFiles`, "adding more key files is not supported");
  }
  if (passwordFile === undefined && keyFile === undefined && settings.keyFile === undefined && v.askPassword !== true) {
    add(path, "needs passwordFile, keyFile or settings.keyFile: a file on the target with the passphrase or key");
  }
  const initrdUnlock = optBool(v, "initrdUnlock", path, add);
  const content = v.content === undefined || v.content === null ? undefined : readContent(v.content, `${path}.content`, "luks", add);
  return {
    type: "luks",
    name: name ?? "",
    ...(passwordFile === undefined ? {} : { passwordFile }),
    ...(keyFile === undefined ? {} : { keyFile }),
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
    ...args(v, "extraFormatArgs", path, add),
    ...args(v, "extraOpenArgs", path, add),
    ...(initrdUnlock === undefined ? {} : { initrdUnlock }),
    ...(content === undefined ? {} : { content: content as Luks["content"] }),
  } as Luks;
}

function readVolumeGroup(v: Json, path: string, name: string, add: Add): LvmVolumeGroup {
  keys(v, path, add, ["type", "name", "lvs"]);
  hooks(v, path, add);
  sameName(v, path, name, add);
  if (v.type !== "lvm_vg") add(`${path}.type`, `expected "lvm_vg", not ${describe(v.type)}`);
  const lvs = emptyRecord<LogicalVolume>();
  const raw = v.lvs ?? {};
  if (!isObject(raw)) add(`${path}.lvs`, `expected an object of named logical volumes, not ${describe(raw)}`);
  else {
    for (const key of Object.keys(raw)) {
      const p = `${path}.lvs.${key}`;
      checkName(key, p, add);
      const lv = raw[key];
      if (!isObject(lv)) {
        add(p, `expected an object, not ${describe(lv)}`);
        continue;
      }
      keys(lv, p, add, ["name", "size", "lvm_type", "extraArgs", "content", "priority"]);
      hooks(lv, p, add);
      const lvName = optString(lv, "name", p, add);
      checkName(lvName, `${p}.name`, add);
      const size = optString(lv, "size", p, add);
      if (size === undefined) add(`${p}.size`, "required: like 10G, 100%FREE or 50%VG");
      else if (!LV_SIZE.test(size)) add(`${p}.size`, `"${size}" is not a size (like 10G, 100%FREE or 50%VG)`);
      const lvmType = lv.lvm_type === null ? undefined : optEnum(lv, "lvm_type", p, add, LVM_TYPES);
      const lvPriority = lv.priority === null ? undefined : optInt(lv, "priority", p, add);
      const content = lv.content === undefined || lv.content === null ? undefined : readContent(lv.content, `${p}.content`, "lv", add);
      lvs[key] = {
        ...(lvName === undefined ? {} : { name: lvName }),
        ...(lvPriority === undefined ? {} : { priority: lvPriority }),
        size: size ?? "",
        ...(lvmType === undefined ? {} : { lvm_type: lvmType }),
        ...args(lv, "extraArgs", p, add),
        ...(content === undefined ? {} : { content: content as LogicalVolume["content"] }),
      } as LogicalVolume;
    }
  }
  return { type: "lvm_vg", lvs };
}

function readMdadm(v: Json, path: string, name: string, add: Add): MdadmArray {
  keys(v, path, add, ["type", "name", "level", "metadata", "content"]);
  hooks(v, path, add);
  sameName(v, path, name, add);
  if (v.type !== undefined && v.type !== "mdadm") add(`${path}.type`, `expected "mdadm", not ${describe(v.type)}`);
  const level = optInt(v, "level", path, add);
  if (level !== undefined && ![0, 1, 4, 5, 6, 10].includes(level)) add(`${path}.level`, `${level} is not an md RAID level (0, 1, 4, 5, 6, 10)`);
  const metadata = optEnum(v, "metadata", path, add, METADATA);
  const content = v.content === undefined || v.content === null ? undefined : readContent(v.content, `${path}.content`, "mdadm", add);
  return {
    type: "mdadm",
    ...(level === undefined ? {} : { level }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(content === undefined ? {} : { content: content as MdadmArray["content"] }),
  };
}

function readNodev(v: Json, path: string, name: string, add: Add): NodevFilesystem {
  keys(v, path, add, ["type", "fsType", "mountpoint", "mountOptions", "device"]);
  hooks(v, path, add);
  if (v.type !== undefined && v.type !== "nodev") add(`${path}.type`, `expected "nodev", not ${describe(v.type)}`);
  if (v.fsType !== "tmpfs") {
    add(`${path}.fsType`, typeof v.fsType === "string" ? `"${v.fsType}" is not supported: only tmpfs` : `required: "tmpfs"`);
  }
  const device = optString(v, "device", path, add);
  if (device !== undefined && !NAME.test(device)) add(`${path}.device`, `"${device}" is not a usable device name for a tmpfs`);
  const mount = mountFields(v, path, add);
  if (v.mountpoint === undefined && !isMountpoint(name)) add(path, `"${name}" is not a mountpoint: give mountpoint`);
  return { type: "nodev", fsType: "tmpfs", ...mount, ...(device === undefined ? {} : { device }) };
}

function mountFields(v: Json, path: string, add: Add): { mountpoint?: string; mountOptions?: string[] } {
  const out: { mountpoint?: string; mountOptions?: string[] } = {};
  if (v.mountpoint !== undefined && v.mountpoint !== null) {
    const mp = v.mountpoint;
    if (typeof mp !== "string") add(`${path}.mountpoint`, `expected an absolute path, not ${describe(mp)}`);
    else if (hasControlCharacters(mp)) add(`${path}.mountpoint`, controlCharacters(mp));
    else if (!isMountpoint(mp)) add(`${path}.mountpoint`, `"${mp}" is not a plain absolute path (no trailing /, //, . or .., spaces or quotes)`);
    else out.mountpoint = mp;
  }
  const options = optStrings(v, "mountOptions", path, add);
  options?.forEach((o, i) => {
    if (o === "" || /[\s"'\\]/.test(o)) add(`${path}.mountOptions[${i}]`, `${describe(o)} is not a mount option`);
  });
  if (options !== undefined) out.mountOptions = options;
  return out;
}

/** What parted takes as a start or end; it refuses values between 0 and 1 ("use a smaller unit"). */
function isPartedPosition(position: string): boolean {
  if (PARTED_CHS.test(position)) return true;
  const number = PARTED_POSITION.exec(position)?.[1];
  return number !== undefined && !(Number(number) > 0 && Number(number) < 1);
}

function isMountpoint(mp: string): boolean {
  if (mp === "/") return true;
  if (!mp.startsWith("/") || mp.endsWith("/") || /[\s"'\\$`]/.test(mp)) return false;
  return mp.slice(1).split("/").every((s) => s !== "" && s !== "." && s !== "..");
}

/**
 * extraArgs go through a shell in disko, so one element may hold several words: split them
 * the same way. An argument naming a device would let a step touch a device the user never
 * named with --wipe, so none may.
 */
function args<K extends string>(v: Json, key: K, path: string, add: Add): Partial<Record<K, string[]>> {
  const list = optStrings(v, key, path, add);
  if (list === undefined) return {};
  const words: string[] = [];
  list.forEach((a, i) => {
    if (UNSAFE_ARG.test(a)) add(`${path}.${key}[${i}]`, `${describe(a)} holds shell syntax; give plain words`);
    else if (DEVICE_ARG.test(a)) {
      add(`${path}.${key}[${i}]`, `${describe(a)} names a device, which --wipe and the in-use check would not cover: declare it as a disk of the layout instead`);
    }
    words.push(...a.split(/\s+/).filter(Boolean));
  });
  return { [key]: words } as Partial<Record<K, string[]>>;
}

function noSwapFiles(v: Json, path: string, add: Add): void {
  const swap = v.swap;
  if (swap === undefined || swap === null) return;
  if (isObject(swap) && (swap.enable === undefined || swap.enable === false)) return;
  add(`${path}.swap`, "btrfs swap files are not supported: use a swap partition or logical volume");
}

function hooks(v: Json, path: string, add: Add): void {
  for (const hook of HOOKS) {
    const h = v[hook];
    if (h === undefined || h === "") continue;
    add(`${path}.${hook}`, "hooks are not supported: nixos-via does not run shell code from a layout");
  }
}

function sameName(v: Json, path: string, name: string, add: Add): void {
  if (v.name !== undefined && v.name !== name) add(`${path}.name`, `renaming is not supported: must equal its key "${name}"`);
}

function keys(v: Json, path: string, add: Add, allowed: readonly string[]): void {
  for (const key of Object.keys(v)) {
    if (key.startsWith("_") || allowed.includes(key) || HOOKS.includes(key)) continue;
    add(`${path}.${key}`, "unknown option; nixos-via does not act on it");
  }
}

function optString(v: Json, key: string, path: string, add: Add): string | undefined {
  const s = v[key];
  if (s === undefined) return undefined;
  if (typeof s !== "string" || s === "") {
    add(`${path}.${key}`, `expected a non-empty string, not ${describe(s)}`);
    return undefined;
  }
  if (hasControlCharacters(s)) {
    add(`${path}.${key}`, controlCharacters(s));
    return undefined;
  }
  return s;
}

function optPath(v: Json, key: string, path: string, add: Add): string | undefined {
  const s = optString(v, key, path, add);
  if (s !== undefined && !s.startsWith("/")) {
    add(`${path}.${key}`, `"${s}" is not an absolute path`);
    return undefined;
  }
  return s;
}

function optBool(v: Json, key: string, path: string, add: Add): boolean | undefined {
  const b = v[key];
  if (b === undefined) return undefined;
  if (typeof b !== "boolean") {
    add(`${path}.${key}`, `expected true or false, not ${describe(b)}`);
    return undefined;
  }
  return b;
}

function optInt(v: Json, key: string, path: string, add: Add): number | undefined {
  const n = v[key];
  if (n === undefined) return undefined;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    add(`${path}.${key}`, `expected an integer, not ${describe(n)}`);
    return undefined;
  }
  return n;
}

function optEnum<T extends string>(v: Json, key: string, path: string, add: Add, values: readonly T[]): T | undefined {
  const s = v[key];
  if (s === undefined) return undefined;
  if (!(values as readonly unknown[]).includes(s)) {
    add(`${path}.${key}`, `${describe(s)} is not one of ${values.join(", ")}`);
    return undefined;
  }
  return s as T;
}

function optStrings(v: Json, key: string, path: string, add: Add): string[] | undefined {
  const list = v[key];
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) {
    add(`${path}.${key}`, `expected a list of strings, not ${describe(list)}`);
    return undefined;
  }
  let printable = true;
  list.forEach((s: string, i) => {
    if (!hasControlCharacters(s)) return;
    add(`${path}.${key}[${i}]`, controlCharacters(s));
    printable = false;
  });
  return printable ? (list as string[]) : undefined;
}

/** A map that keeps every key as its own, `__proto__` included, and inherits none. */
function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function checkName(name: string | undefined, path: string, add: Add): void {
  if (name !== undefined && !NAME.test(name)) add(path, `"${name}" is not a usable name (letters, digits, _ . + -; not ".", ".." or "__proto__")`);
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function controlCharacters(s: string): string {
  return `${describe(s)} holds control characters: give printable text`;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return JSON.stringify(v);
}
