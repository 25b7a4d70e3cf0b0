import type { DiskContent, LvmPhysicalVolume, MdraidMember } from "../Layout.js";
import { checkKeys, HOOKS, readHooks } from "./checkKeys.js";
import { optString } from "./fields.js";
import { describe, isObject, type AddProblem, type JsonObject } from "./json.js";
import { readBtrfs } from "./readBtrfs.js";
import { readFilesystem } from "./readFilesystem.js";
import { readGpt } from "./readGpt.js";
import { readLuks } from "./readLuks.js";
import { readMsdosTable } from "./readMsdosTable.js";
import { readSwap } from "./readSwap.js";

/** What holds a content node; it decides which content types may be there. */
export type ContentParent = "disk" | "partition" | "luks" | "lv" | "mdadm";

const CONTENT_TYPES = ["gpt", "table", "filesystem", "btrfs", "swap", "luks", "lvm_pv", "mdraid"] as const;
type ContentType = (typeof CONTENT_TYPES)[number];

const ALLOWED: Readonly<Record<ContentParent, readonly string[]>> = {
  disk: ["gpt", "table", "filesystem", "btrfs", "swap", "luks", "lvm_pv", "mdraid"],
  partition: ["filesystem", "btrfs", "swap", "luks", "lvm_pv", "mdraid"],
  luks: ["filesystem", "btrfs", "swap", "lvm_pv", "mdraid"],
  lv: ["filesystem", "btrfs", "swap", "luks", "lvm_pv", "mdraid"],
  mdadm: ["gpt", "filesystem", "btrfs", "swap", "luks", "lvm_pv"],
};

const PARENT_WORDS: Readonly<Record<ContentParent, string>> = {
  disk: "a disk",
  partition: "a partition",
  luks: "a luks device",
  lv: "a logical volume",
  mdadm: "an md array",
};

/** Reads a content node by its `type`, refusing types nixos-via does not create or that cannot sit in this parent. */
export function readContent(value: unknown, path: string, parent: ContentParent, add: AddProblem): DiskContent | undefined {
  if (!isObject(value)) {
    add(path, `expected a content object, not ${describe(value)}`);
    return undefined;
  }
  const type = value.type;
  const hooks = readHooks(value, path, add);
  if (typeof type !== "string") {
    add(`${path}.type`, `required: the content type, not ${describe(type)}`);
    return undefined;
  }
  const refused = refusedType(type, parent);
  if (refused !== undefined) {
    add(`${path}.type`, refused);
    return undefined;
  }
  const body = Object.fromEntries(Object.entries(value).filter(([k]) => !(HOOKS as readonly string[]).includes(k)));
  const node = readByType(body, path, type as ContentType, add);
  return node === undefined ? undefined : { ...node, ...hooks };
}

/** The node's `content`, when it has one (null counts as none). */
export function readOptionalContent(v: JsonObject, path: string, parent: ContentParent, add: AddProblem): DiskContent | undefined {
  return v.content === undefined || v.content === null ? undefined : readContent(v.content, `${path}.content`, parent, add);
}

function refusedType(type: string, parent: ContentParent): string | undefined {
  if (type === "zfs" || type === "zpool" || type === "zfs_fs" || type === "zfs_volume") return `"${type}" is not supported: nixos-via does not create ZFS pools`;
  if (type.startsWith("bcachefs") || type === "bcache") return `"${type}" is not supported: nixos-via does not create bcache or bcachefs`;
  if (!(CONTENT_TYPES as readonly string[]).includes(type)) return `unknown content type "${type}"`;
  if (ALLOWED[parent].includes(type)) return undefined;
  const why = type === "gpt" ? "; a GPT can only be the content of a disk or an md array" : type === "table" ? "; a legacy table can only be the content of a disk" : "";
  return `"${type}" cannot be the content of ${PARENT_WORDS[parent]}${why}`;
}

function readByType(v: JsonObject, path: string, type: ContentType, add: AddProblem): DiskContent | undefined {
  switch (type) {
    case "gpt":
      return readGpt(v, path, add);
    case "table":
      return readMsdosTable(v, path, add);
    case "filesystem":
      return readFilesystem(v, path, add);
    case "btrfs":
      return readBtrfs(v, path, add);
    case "swap":
      return readSwap(v, path, add);
    case "luks":
      return readLuks(v, path, add);
    case "lvm_pv":
      return readPhysicalVolume(v, path, add);
    case "mdraid":
      return readMdraidMember(v, path, add);
  }
}

function readPhysicalVolume(v: JsonObject, path: string, add: AddProblem): LvmPhysicalVolume {
  checkKeys(v, path, add, ["type", "device", "vg"]);
  const vg = optString(v, "vg", path, add);
  if (vg === undefined) add(`${path}.vg`, "required: the volume group this physical volume belongs to");
  return { type: "lvm_pv", vg: vg ?? "" };
}

function readMdraidMember(v: JsonObject, path: string, add: AddProblem): MdraidMember {
  checkKeys(v, path, add, ["type", "device", "name"]);
  const name = optString(v, "name", path, add);
  if (name === undefined) add(`${path}.name`, "required: the md array this device is a member of");
  return { type: "mdraid", name: name ?? "" };
}
