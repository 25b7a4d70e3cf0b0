import type { Content, DiskContent, GptPartition, HybridPartition } from "../Layout.js";
import { checkKeys } from "./checkKeys.js";
import { optBool, optInt, optString } from "./fields.js";
import { describe, isObject, type AddProblem, type JsonObject } from "./json.js";
import { readOptionalContent } from "./readContent.js";
import { readNamed } from "./readNamed.js";

const GPT_SIZE = /^([0-9]+[KMGTP]?|100%)$/;
const GPT_POSITION = /^[+-]?[0-9]+[KMGTPs]?$/;
const GPT_TYPE = /^([0-9A-Fa-f]{4}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;
const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const MBR_TYPE = /^(0x)?[0-9A-Fa-f]{1,2}$/;

/** Reads a GPT: its partitions by name, with sizes and positions as sgdisk takes them. */
export function readGpt(v: JsonObject, path: string, add: AddProblem): DiskContent | undefined {
  checkKeys(v, path, add, ["type", "device", "partitions", "efiGptPartitionFirst"]);
  const efiGptPartitionFirst = optBool(v, "efiGptPartitionFirst", path, add);
  // Partition names only become labels (checked as such): disko takes any string.
  const partitions = readNamed(v.partitions ?? {}, `${path}.partitions`, "partitions", add, readGptPartition, false);
  return { type: "gpt", ...(efiGptPartitionFirst === undefined || efiGptPartitionFirst ? {} : { efiGptPartitionFirst }), partitions };
}

function readGptPartition(part: JsonObject, p: string, key: string, add: AddProblem): GptPartition {
  // A TypeScript object literal would drop the key: refused rather than half kept.
  if (key === "__proto__") add(p, `"__proto__" is not a usable partition name`);
  checkKeys(part, p, add, ["type", "size", "start", "end", "priority", "name", "label", "content", "device", "uuid", "attributes", "alignment", "hybrid"]);
  const out: Record<string, unknown> = {};
  const type = optString(part, "type", p, add);
  if (type !== undefined && !GPT_TYPE.test(type)) add(`${p}.type`, `"${type}" is not a partition type code (4 hex digits like EF00) or GUID`);
  const size = optString(part, "size", p, add);
  if (size !== undefined && !GPT_SIZE.test(size)) add(`${p}.size`, `"${size}" is not a size (like 512M, 20G or 100%)`);
  for (const k of ["start", "end"] as const) {
    const s = optString(part, k, p, add);
    if (s !== undefined && !GPT_POSITION.test(s)) add(`${p}.${k}`, `"${s}" is not an sgdisk position (like 0, 1M, +512M, 2048s or -0)`);
    if (s !== undefined) out[k] = s;
  }
  const priority = optInt(part, "priority", p, add);
  const name = optString(part, "name", p, add);
  const label = optString(part, "label", p, add);
  const uuid = part.uuid === null ? undefined : optString(part, "uuid", p, add);
  if (uuid !== undefined && !GUID.test(uuid)) add(`${p}.uuid`, `"${uuid}" is not a GUID (like 809b3a2b-828a-4730-95e1-75b6343e415a)`);
  const attributes = readAttributes(part, p, add);
  const alignment = optInt(part, "alignment", p, add);
  if (alignment !== undefined && alignment < 0) add(`${p}.alignment`, `${alignment} is not a sector count`);
  const hybrid = readHybrid(part, p, add);
  const content = readOptionalContent(part, p, "partition", add);
  return {
    ...(type === undefined ? {} : { type }),
    ...(size === undefined ? {} : { size }),
    ...out,
    ...(priority === undefined ? {} : { priority }),
    ...(name === undefined ? {} : { name }),
    ...(label === undefined ? {} : { label }),
    ...(uuid === undefined ? {} : { uuid }),
    ...(attributes === undefined || attributes.length === 0 ? {} : { attributes }),
    ...(alignment === undefined || alignment === 0 ? {} : { alignment }),
    ...(hybrid === undefined ? {} : { hybrid }),
    ...(content === undefined ? {} : { content: content as Content }),
  } as GptPartition;
}

/** GPT attribute bits: 0–63. */
function readAttributes(part: JsonObject, p: string, add: AddProblem): number[] | undefined {
  const raw = part.attributes;
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    add(`${p}.attributes`, `expected a list of attribute bits (0–63), not ${describe(raw)}`);
    return undefined;
  }
  const bits: number[] = [];
  raw.forEach((b: unknown, i) => {
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 63) add(`${p}.attributes[${i}]`, `${describe(b)} is not a GPT attribute bit (0–63)`);
    else if (!bits.includes(b)) bits.push(b);
  });
  return bits;
}

function readHybrid(part: JsonObject, p: string, add: AddProblem): HybridPartition | undefined {
  const raw = part.hybrid;
  if (raw === undefined || raw === null) return undefined;
  const at = `${p}.hybrid`;
  if (!isObject(raw)) {
    add(at, `expected an object, not ${describe(raw)}`);
    return undefined;
  }
  checkKeys(raw, at, add, ["mbrPartitionType", "mbrBootableFlag"]);
  const type = raw.mbrPartitionType === null ? undefined : optString(raw, "mbrPartitionType", at, add);
  if (type !== undefined && !MBR_TYPE.test(type)) add(`${at}.mbrPartitionType`, `"${type}" is not an MBR type byte (like 0x0c or 83)`);
  const bootable = optBool(raw, "mbrBootableFlag", at, add);
  return { ...(type === undefined ? {} : { mbrPartitionType: type }), ...(bootable === true ? { mbrBootableFlag: true } : {}) };
}
