import type { NodevFilesystem } from "../Layout.js";
import { checkKeys, HOOKS, readHooks } from "./checkKeys.js";
import { NAME } from "./checkName.js";
import { optString } from "./fields.js";
import { describe, type AddProblem, type JsonObject } from "./json.js";
import { isMountpoint, readMountFields } from "./readMountFields.js";

/** Reads a file system of `nodev` (only tmpfs), which is usually named by its mountpoint. */
export function readNodev(v: JsonObject, path: string, name: string, add: AddProblem): NodevFilesystem {
  checkKeys(v, path, add, ["type", "fsType", "mountpoint", "mountOptions", "device", ...HOOKS]);
  const hooks = readHooks(v, path, add);
  if (v.type !== undefined && v.type !== "nodev") add(`${path}.type`, `expected "nodev", not ${describe(v.type)}`);
  if (v.fsType !== "tmpfs") {
    add(`${path}.fsType`, typeof v.fsType === "string" ? `"${v.fsType}" is not supported: only tmpfs` : `required: "tmpfs"`);
  }
  const device = optString(v, "device", path, add);
  if (device !== undefined && !NAME.test(device)) add(`${path}.device`, `"${device}" is not a usable device name for a tmpfs`);
  const mount = readMountFields(v, path, add);
  if (v.mountpoint === undefined && !isMountpoint(name)) add(path, `"${name}" is not a mountpoint: give mountpoint`);
  return { type: "nodev", fsType: "tmpfs", ...mount, ...(device === undefined ? {} : { device }), ...hooks };
}
