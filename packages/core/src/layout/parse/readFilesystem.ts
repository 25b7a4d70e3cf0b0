import type { Filesystem } from "../Layout.js";
import { checkKeys } from "./checkKeys.js";
import type { AddProblem, JsonObject } from "./json.js";
import { readArgs } from "./readArgs.js";
import { readMountFields } from "./readMountFields.js";

const FORMATS = ["ext2", "ext3", "ext4", "vfat", "xfs", "btrfs", "f2fs"] as const;

/** Reads a file system made with `mkfs.<format>`. */
export function readFilesystem(v: JsonObject, path: string, add: AddProblem): Filesystem {
  checkKeys(v, path, add, ["type", "device", "format", "mountpoint", "mountOptions", "extraArgs"]);
  const format = v.format;
  if (!(FORMATS as readonly unknown[]).includes(format)) {
    add(`${path}.format`, typeof format === "string"
      ? `file system format "${format}" is not supported (${FORMATS.join(", ")})`
      : `required: one of ${FORMATS.join(", ")}`);
  }
  return {
    type: "filesystem",
    format: format as Filesystem["format"],
    ...readMountFields(v, path, add),
    ...readArgs(v, "extraArgs", path, add),
  };
}
