import type { Disk, DiskContent } from "../Layout.js";
import { checkKeys, refuseHooks, refuseRenaming } from "./checkKeys.js";
import { optString } from "./fields.js";
import { describe, type AddProblem, type JsonObject } from "./json.js";
import { readOptionalContent } from "./readContent.js";

/** Reads a disk of `disk`: the only node whose own `device` is kept (see `resolveDiskDevices`). */
export function readDisk(v: JsonObject, path: string, name: string, add: AddProblem): Disk | undefined {
  checkKeys(v, path, add, ["type", "device", "content", "name", "imageSize", "imageName"]);
  refuseHooks(v, path, add);
  refuseRenaming(v, path, name, add);
  if (v.type !== "disk") add(`${path}.type`, `expected "disk", not ${describe(v.type)}`);
  const device = optString(v, "device", path, add);
  const content = readOptionalContent(v, path, "disk", add);
  return { type: "disk", ...(device === undefined ? {} : { device }), ...(content === undefined ? {} : { content: content as DiskContent }) };
}
