import type { MsdosTable } from "../Layout.js";
import { numberMsdosPartitions, type NumberedMsdosPartition } from "../orderPartitions.js";
import { partitionRef } from "../walkLayout.js";
import { planPartitionWait } from "./planPartitionWait.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/**
 * Writes disko's legacy table on a disk with parted, partitions in list order: an msdos
 * (MBR) table, or a GPT whose partitions get their `name` as label.
 */
export function planMsdosTable(diskName: string, device: string, table: MsdosTable): PlannedSteps {
  const partitions = numberMsdosPartitions(table);
  const gpt = table.format === "gpt";
  const steps = [
    runStep("partition", `create a new ${gpt ? "GPT" : "msdos partition table"} on disk ${diskName} (${device})`, ["parted", "-s", device, "--", "mklabel", table.format]),
    ...partitions.flatMap((p) => createPartitionSteps(diskName, device, p, gpt)),
  ];
  // An extended partition only holds the logical ones: it has no device to wait for.
  const waited = gpt ? partitions : partitions.filter((p) => p.partType !== "extended");
  return combinePlanned([
    planned({ steps, tools: ["parted"] }),
    planPartitionWait(`disk ${diskName}`, waited.map((p) => partitionRef(device, p.number, gpt ? (p.partition.name ?? "") : ""))),
  ]);
}

function createPartitionSteps(diskName: string, device: string, p: NumberedMsdosPartition, gpt: boolean) {
  const fsType = p.partition["fs-type"];
  const flags = [...(p.partition.bootable === true ? ["boot"] : []), ...(p.partition.flags ?? [])];
  // On a GPT, parted's first mkpart word is the partition's name (its GPT label).
  // parted splits its arguments into words again: a name with spaces is quoted for it.
  const name = p.partition.name ?? "";
  const first = gpt ? (/\s/.test(name) ? `'${name}'` : name) : p.partType;
  return [
    runStep("partition", gpt ? `create partition ${p.number} (${name}) on disk ${diskName}` : `create ${p.partType} partition ${p.number} on disk ${diskName}`, [
      "parted", "-s", device, "--", "mkpart", first,
      ...(fsType === undefined ? [] : [fsType]),
      p.partition.start ?? "0%", p.partition.end ?? "100%",
    ]),
    ...flags.map((flag) =>
      runStep("partition", `set the ${flag} flag on partition ${p.number} of disk ${diskName}`, ["parted", "-s", device, "--", "set", String(p.number), flag, "on"]),
    ),
  ];
}
