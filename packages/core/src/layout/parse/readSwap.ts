import type { Swap } from "../Layout.js";
import { checkKeys } from "./checkKeys.js";
import { optBool, optEnum, optInt } from "./fields.js";
import type { AddProblem, JsonObject } from "./json.js";
import { readArgs } from "./readArgs.js";

const DISCARD = ["once", "pages", "both"] as const;

/** Reads a swap device; disko writes `null` for the options left unset. */
export function readSwap(v: JsonObject, path: string, add: AddProblem): Swap {
  checkKeys(v, path, add, ["type", "device", "discardPolicy", "resumeDevice", "randomEncryption", "priority", "extraArgs"]);
  const discardPolicy = v.discardPolicy === null ? undefined : optEnum(v, "discardPolicy", path, add, DISCARD);
  const resumeDevice = optBool(v, "resumeDevice", path, add);
  const randomEncryption = optBool(v, "randomEncryption", path, add);
  const priority = v.priority === null ? undefined : optInt(v, "priority", path, add);
  return {
    type: "swap",
    ...(discardPolicy === undefined ? {} : { discardPolicy }),
    ...(resumeDevice === undefined ? {} : { resumeDevice }),
    ...(randomEncryption === undefined ? {} : { randomEncryption }),
    ...(priority === undefined ? {} : { priority }),
    ...readArgs(v, "extraArgs", path, add),
  };
}
