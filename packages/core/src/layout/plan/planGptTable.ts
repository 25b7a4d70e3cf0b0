import type { GptTable } from "../Layout.js";
import { orderGptPartitions, type OrderedGptPartition } from "../orderPartitions.js";
import { partitionRef } from "../walkLayout.js";
import { planPartitionWait } from "./planPartitionWait.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/** Writes a new GPT on a disk with sgdisk, one partition at a time in disko's order. */
export function planGptTable(diskName: string, device: string, table: GptTable): PlannedSteps {
  const partitions = orderGptPartitions(diskName, table);
  const bootable = biosBootPartition(partitions);
  const steps = [
    runStep("partition", `create a new GPT on disk ${diskName} (${device})`, ["sgdisk", "--zap-all", device]),
    ...partitions.map((p) => createPartitionStep(diskName, device, p, p.number === bootable)),
  ];
  return combinePlanned([
    planned({ steps, tools: ["sgdisk"] }),
    planPartitionWait(diskName, partitions.map((p) => partitionRef(device, p.number, p.label))),
  ]);
}

function createPartitionStep(diskName: string, device: string, p: OrderedGptPartition, legacyBootable: boolean) {
  const n = p.number;
  const start = p.partition.start ?? "0";
  const end = p.partition.end ?? (p.partition.size === "100%" ? "-0" : `+${p.partition.size ?? "0"}`);
  return runStep("partition", `create partition ${n} (${p.label}) on disk ${diskName}${legacyBootable ? ", legacy BIOS bootable" : ""}`, [
    "sgdisk",
    "--align-end",
    `--new=${n}:${start}:${end}`,
    `--partition-guid=${n}:R`,
    `--change-name=${n}:${p.label}`,
    `--typecode=${n}:${p.typeCode}`,
    ...(legacyBootable ? [`--attributes=${n}:set:2`] : []),
    device,
  ]);
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
