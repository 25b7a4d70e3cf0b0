import type { Btrfs, BtrfsSubvolume } from "../Layout.js";
import { checkKeys } from "./checkKeys.js";
import { optString } from "./fields.js";
import { describe, isObject, type AddProblem, type JsonObject } from "./json.js";
import { readArgs } from "./readArgs.js";
import { readMountFields } from "./readMountFields.js";
import { readNamed } from "./readNamed.js";

/** A path inside the file system: `..` or `.` segments would lead out of it on the installing machine. */
const SUBVOLUME = /^\/?(?!\.\.?(\/|$))[A-Za-z0-9_.+@-]+(\/(?!\.\.?(\/|$))[A-Za-z0-9_.+@-]+)*$/;

/** Reads a btrfs file system and its subvolumes by name. */
export function readBtrfs(v: JsonObject, path: string, add: AddProblem): Btrfs {
  checkKeys(v, path, add, ["type", "device", "extraArgs", "mountpoint", "mountOptions", "subvolumes", "swap"]);
  refuseSwapFiles(v, path, add);
  // Subvolume keys are paths inside the file system, checked as such by readSubvolume.
  const subvolumes = readNamed(v.subvolumes ?? {}, `${path}.subvolumes`, "subvolumes", add, readSubvolume, false);
  return { type: "btrfs", ...readArgs(v, "extraArgs", path, add), ...readMountFields(v, path, add), subvolumes };
}

/** A subvolume is at its key's path unless `name` gives another. */
function readSubvolume(sub: JsonObject, p: string, key: string, add: AddProblem): BtrfsSubvolume {
  checkKeys(sub, p, add, ["type", "name", "mountpoint", "mountOptions", "extraArgs", "swap"]);
  refuseSwapFiles(sub, p, add);
  if (sub.type !== undefined && sub.type !== "btrfs_subvol") add(`${p}.type`, `expected "btrfs_subvol", not ${describe(sub.type)}`);
  const name = optString(sub, "name", p, add) ?? key;
  if (!SUBVOLUME.test(name)) add(sub.name === undefined ? p : `${p}.name`, `"${name}" is not a usable subvolume path`);
  return {
    ...(sub.name === undefined ? {} : { name }),
    ...readMountFields(sub, p, add),
    ...readArgs(sub, "extraArgs", p, add),
  };
}

/** disko writes a disabled `swap` on every btrfs node; an enabled one asks for a swap file. */
function refuseSwapFiles(v: JsonObject, path: string, add: AddProblem): void {
  const swap = v.swap;
  if (swap === undefined || swap === null) return;
  if (isObject(swap) && (swap.enable === undefined || swap.enable === false)) return;
  add(`${path}.swap`, "btrfs swap files are not supported: use a swap partition or logical volume");
}
