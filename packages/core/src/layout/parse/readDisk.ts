import type { Disk, DiskContent } from "../Layout.js";
import { checkKeys, HOOKS, readHooks } from "./checkKeys.js";
import { checkName } from "./checkName.js";
import { optString } from "./fields.js";
import { describe, type AddProblem, type JsonObject } from "./json.js";
import { readOptionalContent } from "./readContent.js";

/**
 * Reads a disk of `disk`: the only node whose own `device` is kept (see `resolveDiskDevices`).
 * Its key only identifies it (`--disk KEY=DEV`); labels are made of its `name`, by default
 * the key with each `/` replaced by `_`, as disko's.
 */
export function readDisk(v: JsonObject, path: string, key: string, add: AddProblem): Disk | undefined {
  checkKeys(v, path, add, ["type", "device", "content", "name", "imageSize", "imageName", "destroy", ...HOOKS]);
  const hooks = readHooks(v, path, add);
  if (v.type !== "disk") add(`${path}.type`, `expected "disk", not ${describe(v.type)}`);
  const name = optString(v, "name", path, add);
  checkName(name ?? diskName(key), v.name === undefined ? path : `${path}.name`, add);
  if (v.destroy !== undefined && v.destroy !== true) add(`${path}.destroy`, "keeping a disk's contents is not supported: nixos-via wipes every disk of the layout");
  const device = optString(v, "device", path, add);
  const content = readOptionalContent(v, path, "disk", add);
  return {
    type: "disk",
    ...(name === undefined || name === key ? {} : { name }),
    ...(device === undefined ? {} : { device }),
    ...(content === undefined ? {} : { content: content as DiskContent }),
    ...hooks,
  };
}

/** disko's default disk name: the key with each `/` replaced by `_`. */
export function diskName(key: string): string {
  return key.replace(/\//g, "_");
}
