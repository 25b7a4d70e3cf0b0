import type { GptPartition, GptTable, MsdosPartition, MsdosTable } from "./Layout.js";
import { sha256Hex } from "./sha256Hex.js";

/** What holds a GPT, as disko names it in labels: `disk` or `mdadm`, and its name. */
export interface TableOwner {
  readonly type: "disk" | "mdadm";
  readonly name: string;
}

/** GPT partition names are at most 36 UTF-16 code units; disko hashes longer default labels. */
export const MAX_PARTLABEL = 36;

/** A GPT partition with what disko derives from it: its number, priority and label. */
export interface OrderedGptPartition {
  readonly key: string;
  readonly partition: GptPartition;
  /** 1-based, in creation order. */
  readonly number: number;
  readonly priority: number;
  readonly label: string;
  /** sgdisk type code or GUID. */
  readonly typeCode: string;
}

/**
 * GPT partitions in disko's creation order: `priority` ascending (size "100%" = 9001, EF02 =
 * 100, else 1000), ties by name. The position is the partition number. The default label is
 * `<owner type>-<owner name>-<name>`, or the first 36 hex digits of its SHA-256 when longer.
 */
export function orderGptPartitions(owner: TableOwner, table: GptTable): OrderedGptPartition[] {
  return Object.keys(table.partitions)
    .sort()
    .map((key) => {
      const partition = table.partitions[key] as GptPartition;
      const typeCode = partition.type ?? (partition.content?.type === "swap" ? "8200" : "8300");
      return { key, partition, priority: gptPriority(partition, typeCode), typeCode };
    })
    .sort((a, b) => a.priority - b.priority || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p, i) => ({
      ...p,
      number: i + 1,
      label: p.partition.label ?? defaultLabel(`${owner.type}-${owner.name}-${p.partition.name ?? p.key}`),
    }));
}

function gptPriority(partition: GptPartition, typeCode: string): number {
  if (partition.priority !== undefined) return partition.priority;
  if (partition.size === "100%") return 9001;
  // disko compares the type as written: "ef02" is not a BIOS boot partition to its order.
  if (typeCode === "EF02") return 100;
  return 1000;
}

/** disko counts bytes (Nix's stringLength). */
function defaultLabel(label: string): string {
  return new TextEncoder().encode(label).length > MAX_PARTLABEL ? sha256Hex(label).slice(0, MAX_PARTLABEL) : label;
}

/** An MBR partition with its number: primary and extended take 1–4, logical ones 5 on. */
export interface NumberedMsdosPartition {
  readonly index: number;
  readonly partition: MsdosPartition;
  readonly number: number;
  readonly partType: "primary" | "extended" | "logical";
}

/** MBR partitions in list order with the numbers the kernel gives them. */
export function numberMsdosPartitions(table: MsdosTable): NumberedMsdosPartition[] {
  let primary = 0;
  let logical = 4;
  return table.partitions.map((partition, index) => {
    const partType = partition["part-type"] ?? "primary";
    const number = partType === "logical" ? ++logical : ++primary;
    return { index, partition, number, partType };
  });
}
