import type { GptTable } from "../Layout.js";
import { orderGptPartitions, type OrderedGptPartition, type TableOwner } from "../orderPartitions.js";
import { partitionRef } from "../walkLayout.js";
import { planPartitionWait } from "./planPartitionWait.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/**
 * Writes a new GPT on a disk (or an md array) with sgdisk, one partition at a time in
 * disko's order, then the hybrid MBR if partitions ask for one.
 *
 * @param words - the device in words: `disk main`, `/dev/md/raid1`
 */
export function planGptTable(owner: TableOwner, words: string, device: string, table: GptTable): PlannedSteps {
  const partitions = orderGptPartitions(owner, table);
  const bootable = biosBootPartition(partitions);
  const phase = owner.type === "disk" ? "partition" : "format";
  const steps = [
    runStep(phase, `create a new GPT on ${words}${words === device ? "" : ` (${device})`}`, ["sgdisk", "--zap-all", device]),
    ...partitions.map((p) => createPartitionStep(phase, words, device, p, p.number === bootable)),
  ];
  const hybrid = planHybridMbr(phase, words, device, partitions, table.efiGptPartitionFirst ?? true);
  return combinePlanned([
    planned({ steps: [...steps, ...hybrid.steps], tools: ["sgdisk", ...hybrid.tools] }),
    planPartitionWait(words, partitions.map((p) => partitionRef(device, p.number, p.label)), phase),
  ]);
}

function createPartitionStep(phase: "partition" | "format", words: string, device: string, p: OrderedGptPartition, legacyBootable: boolean) {
  const n = p.number;
  const start = p.partition.start ?? "0";
  const end = p.partition.end ?? (p.partition.size === "100%" ? "-0" : `+${p.partition.size ?? "0"}`);
  // As disko: positions in sectors align to 1 sector unless alignment says otherwise.
  const alignment = p.partition.alignment ?? (start.endsWith("s") || end.endsWith("s") ? 1 : 0);
  const attributes = [...(p.partition.attributes ?? []), ...(legacyBootable && !(p.partition.attributes ?? []).includes(2) ? [2] : [])];
  return runStep(phase, `create partition ${n} (${p.label}) on ${words}${legacyBootable ? ", legacy BIOS bootable" : ""}`, [
    "sgdisk",
    "--align-end",
    ...(alignment === 0 ? [] : [`--set-alignment=${alignment}`]),
    `--new=${n}:${start}:${end}`,
    `--partition-guid=${n}:${p.partition.uuid ?? "R"}`,
    `--change-name=${n}:${p.label}`,
    `--typecode=${n}:${p.typeCode}`,
    ...attributes.map((bit) => `--attributes=${n}:set:${bit}`),
    device,
  ]);
}

/**
 * disko's hybrid MBR: `sgdisk -h` with the hybrid partitions in creation order (and the
 * protective 0xEE entry last when `efiGptPartitionFirst` is false), then each entry's MBR
 * type and active flag with sfdisk.
 */
function planHybridMbr(phase: "partition" | "format", words: string, device: string, partitions: readonly OrderedGptPartition[], efiFirst: boolean) {
  const hybrid = partitions.filter((p) => p.partition.hybrid !== undefined);
  if (hybrid.length === 0) return { steps: [], tools: [] };
  const numbers = hybrid.map((p) => String(p.number)).join(":");
  const steps = [
    runStep(phase, `write a hybrid MBR on ${words} with partitions ${numbers.replace(/:/g, ", ")}`, ["sgdisk", "-h", `${numbers}${efiFirst ? "" : ":EE"}`, device]),
    ...hybrid.flatMap((p) => [
      ...(p.partition.hybrid?.mbrPartitionType === undefined
        ? []
        : [runStep(phase, `set the MBR type of partition ${p.number} on ${words} to ${p.partition.hybrid.mbrPartitionType}`, ["sfdisk", "--label-nested", "dos", "--part-type", device, String(p.number), p.partition.hybrid.mbrPartitionType])]),
      ...(p.partition.hybrid?.mbrBootableFlag === true
        ? [runStep(phase, `mark partition ${p.number} on ${words} active in the MBR`, ["sfdisk", "--label-nested", "dos", "--activate", device, String(p.number)])]
        : []),
    ]),
  ];
  return { steps, tools: steps.some((s) => s.argv[0] === "sfdisk") ? ["sfdisk"] : [] };
}

/**
 * On a disk with a BIOS boot partition (EF02), the partition holding /boot (or / when
 * /boot is not separate) gets GPT's legacy BIOS bootable attribute: the MBR code of
 * syslinux/extlinux for GPT (gptmbr.bin) boots the partition that carries it.
 */
function biosBootPartition(partitions: readonly OrderedGptPartition[]): number | undefined {
  if (!partitions.some((p) => p.typeCode.toUpperCase() === "EF02")) return undefined;
  const holds = (mountpoint: string) =>
    partitions.find((p) => {
      const c = p.partition.content;
      if (c?.type === "filesystem") return c.mountpoint === mountpoint;
      if (c?.type === "btrfs") {
        return c.mountpoint === mountpoint || Object.values(c.subvolumes ?? {}).some((s) => s.mountpoint === mountpoint);
      }
      return false;
    });
  return (holds("/boot") ?? holds("/"))?.number;
}
