import type { Content, DiskContent, GptPartition } from "../Layout.js";
import { checkKeys, refuseHooks } from "./checkKeys.js";
import { checkName } from "./checkName.js";
import { optInt, optString } from "./fields.js";
import type { AddProblem, JsonObject } from "./json.js";
import { readOptionalContent } from "./readContent.js";
import { readNamed } from "./readNamed.js";

const PARTLABEL = /^(?!\.\.?$)[A-Za-z0-9_.+-]+$/;
const GPT_SIZE = /^([0-9]+[KMGTP]?|100%)$/;
const GPT_POSITION = /^[+-]?[0-9]+[KMGTP]?$/;
const GPT_TYPE = /^([0-9A-Fa-f]{4}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;

/** Reads a GPT: its partitions by name, with sizes and positions as sgdisk takes them. */
export function readGpt(v: JsonObject, path: string, add: AddProblem): DiskContent | undefined {
  checkKeys(v, path, add, ["type", "device", "partitions"]);
  return { type: "gpt", partitions: readNamed(v.partitions ?? {}, `${path}.partitions`, "partitions", add, readGptPartition) };
}

function readGptPartition(part: JsonObject, p: string, _key: string, add: AddProblem): GptPartition {
  checkKeys(part, p, add, ["type", "size", "start", "end", "priority", "name", "label", "content", "device"]);
  refuseHooks(part, p, add);
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
  const content = readOptionalContent(part, p, "partition", add);
  return {
    ...(type === undefined ? {} : { type }),
    ...(size === undefined ? {} : { size }),
    ...out,
    ...(priority === undefined ? {} : { priority }),
    ...(name === undefined ? {} : { name }),
    ...(label === undefined ? {} : { label }),
    ...(content === undefined ? {} : { content: content as Content }),
  };
}
