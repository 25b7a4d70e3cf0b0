import type { DiskContent, MsdosPartition, PartitionContent } from "../Layout.js";
import { checkKeys } from "./checkKeys.js";
import { checkName, NAME } from "./checkName.js";
import { optBool, optEnum, optString, optStrings } from "./fields.js";
import { describe, isObject, type AddProblem, type JsonObject } from "./json.js";
import { readOptionalContent } from "./readContent.js";

/** parted reads a unit by its suffix, case-insensitively; `C,H,S` is a position too. */
const PARTED_POSITION = /^-?([0-9]+(\.[0-9]+)?)(s|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib|%|cyl|chs)?$/i;
const PARTED_CHS = /^[0-9]+,[0-9]+,[0-9]+$/;
const FS_TYPES = ["btrfs", "ext2", "ext3", "ext4", "fat16", "fat32", "linux-swap", "xfs"] as const;
const FORMATS = ["msdos", "gpt"] as const;
const PART_TYPES = ["primary", "extended", "logical"] as const;

/**
 * Reads disko's legacy `table`: a list of partitions with positions as parted takes them,
 * on an MBR (`msdos`) or, disko's default, a GPT.
 */
export function readMsdosTable(v: JsonObject, path: string, add: AddProblem): DiskContent | undefined {
  checkKeys(v, path, add, ["type", "device", "format", "partitions"]);
  const format = optEnum(v, "format", path, add, FORMATS) ?? "gpt";
  const raw = v.partitions ?? [];
  const partitions: MsdosPartition[] = [];
  if (!Array.isArray(raw)) {
    add(`${path}.partitions`, `expected a list of partitions, not ${describe(raw)}`);
    return { type: "table", format, partitions };
  }
  raw.forEach((part: unknown, i) => {
    const p = `${path}.partitions[${i}]`;
    if (!isObject(part)) add(p, `expected an object, not ${describe(part)}`);
    else partitions.push(readMsdosPartition(part, p, format, add));
  });
  return { type: "table", format, partitions };
}

function readMsdosPartition(part: JsonObject, p: string, format: "msdos" | "gpt", add: AddProblem): MsdosPartition {
  checkKeys(part, p, add, ["name", "start", "end", "bootable", "fs-type", "part-type", "flags", "content"]);
  const name = part.name === null ? undefined : optString(part, "name", p, add);
  // On msdos the name becomes a file system label (a device name); on gpt it is the GPT label, checked as one.
  if (format === "msdos") checkName(name, `${p}.name`, add);
  else if (name === undefined && part.name !== null && part.name !== undefined) {
    // already reported by optString
  } else if (name === undefined) add(`${p}.name`, "required on a gpt table: the partition's GPT label");
  const out: Record<string, unknown> = {};
  for (const k of ["start", "end"] as const) {
    const s = optString(part, k, p, add);
    if (s !== undefined && !isPartedPosition(s)) add(`${p}.${k}`, `"${s}" is not a parted position: use a number with a unit, like 1MiB, 512M, 2048s or 100%`);
    if (s !== undefined) out[k] = s;
  }
  const bootable = optBool(part, "bootable", p, add);
  const fsType = optEnum(part, "fs-type", p, add, FS_TYPES);
  const partType = optEnum(part, "part-type", p, add, PART_TYPES);
  const flags = optStrings(part, "flags", p, add);
  flags?.forEach((f, j) => {
    if (!NAME.test(f)) add(`${p}.flags[${j}]`, `"${f}" is not a parted flag`);
  });
  const content = readOptionalContent(part, p, "partition", add);
  return {
    ...(name === undefined ? {} : { name }),
    ...out,
    ...(bootable === undefined ? {} : { bootable }),
    ...(fsType === undefined ? {} : { "fs-type": fsType }),
    ...(partType === undefined ? {} : { "part-type": partType }),
    ...(flags === undefined ? {} : { flags }),
    ...(content === undefined ? {} : { content: content as PartitionContent }),
  };
}

/** What parted takes as a start or end; it refuses values between 0 and 1 ("use a smaller unit"). */
function isPartedPosition(position: string): boolean {
  if (PARTED_CHS.test(position)) return true;
  const number = PARTED_POSITION.exec(position)?.[1];
  return number !== undefined && !(Number(number) > 0 && Number(number) < 1);
}
