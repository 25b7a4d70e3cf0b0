import type { Swap } from "../Layout.js";
import { checkKeys } from "./checkKeys.js";
import { optBool, optEnum, optInt, optStrings } from "./fields.js";
import { describe, type AddProblem, type JsonObject } from "./json.js";
import { readArgs } from "./readArgs.js";

const DISCARD = ["once", "pages", "both"] as const;

/** Reads a swap device; disko writes `null` for the options left unset. */
export function readSwap(v: JsonObject, path: string, add: AddProblem): Swap {
  checkKeys(v, path, add, ["type", "device", "discardPolicy", "resumeDevice", "randomEncryption", "priority", "extraArgs", "mountOptions"]);
  const discardPolicy = v.discardPolicy === null ? undefined : optEnum(v, "discardPolicy", path, add, DISCARD);
  const resumeDevice = optBool(v, "resumeDevice", path, add);
  const randomEncryption = optBool(v, "randomEncryption", path, add);
  const priority = v.priority === null ? undefined : optInt(v, "priority", path, add);
  const mountOptions = optStrings(v, "mountOptions", path, add);
  mountOptions?.forEach((o, i) => {
    if (o === "" || /[\s"'\\,]/.test(o)) add(`${path}.mountOptions[${i}]`, `${describe(o)} is not a swap option`);
  });
  return {
    type: "swap",
    ...(discardPolicy === undefined ? {} : { discardPolicy }),
    ...(resumeDevice === undefined ? {} : { resumeDevice }),
    ...(randomEncryption === undefined ? {} : { randomEncryption }),
    ...(priority === undefined ? {} : { priority }),
    ...(mountOptions === undefined ? {} : { mountOptions }),
    ...readArgs(v, "extraArgs", path, add),
  };
}
