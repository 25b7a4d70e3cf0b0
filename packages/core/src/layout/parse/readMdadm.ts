import type { MdadmArray } from "../Layout.js";
import { checkKeys, HOOKS, readHooks, refuseRenaming } from "./checkKeys.js";
import { readArgs } from "./readArgs.js";
import { optEnum, optInt } from "./fields.js";
import { describe, type AddProblem, type JsonObject } from "./json.js";
import { readOptionalContent } from "./readContent.js";

const METADATA = ["1", "1.0", "1.1", "1.2", "default", "ddf", "imsm"] as const;

/** Reads an md array of `mdadm`; its members name it from the disks. */
export function readMdadm(v: JsonObject, path: string, name: string, add: AddProblem): MdadmArray {
  checkKeys(v, path, add, ["type", "name", "level", "metadata", "content", "extraArgs", ...HOOKS]);
  const hooks = readHooks(v, path, add);
  refuseRenaming(v, path, name, add);
  if (v.type !== undefined && v.type !== "mdadm") add(`${path}.type`, `expected "mdadm", not ${describe(v.type)}`);
  const level = optInt(v, "level", path, add);
  if (level !== undefined && ![0, 1, 4, 5, 6, 10].includes(level)) add(`${path}.level`, `${level} is not an md RAID level (0, 1, 4, 5, 6, 10)`);
  const metadata = optEnum(v, "metadata", path, add, METADATA);
  const content = readOptionalContent(v, path, "mdadm", add);
  return {
    type: "mdadm",
    ...(level === undefined ? {} : { level }),
    ...(metadata === undefined ? {} : { metadata }),
    ...readArgs(v, "extraArgs", path, add),
    ...(content === undefined ? {} : { content: content as MdadmArray["content"] }),
    ...hooks,
  };
}
