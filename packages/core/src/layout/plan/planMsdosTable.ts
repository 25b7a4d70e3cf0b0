import type { MsdosTable } from "../Layout.js";
import { numberMsdosPartitions, type NumberedMsdosPartition } from "../orderPartitions.js";
import { partitionRef } from "../walkLayout.js";
import { planPartitionWait } from "./planPartitionWait.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/** Writes a new msdos (MBR) partition table on a disk with parted, partitions in list order. */
export function planMsdosTable(diskName: string, device: string, table: MsdosTable): PlannedSteps {
  const partitions = numberMsdosPartitions(table);
  const steps = [
    runStep("partition", `create a new msdos partition table on disk ${diskName} (${device})`, ["parted", "-s", device, "--", "mklabel", "msdos"]),
    ...partitions.flatMap((p) => createPartitionSteps(diskName, device, p)),
  ];
  // An extended partition only holds the logical ones: it has no device to wait for.
  const waited = partitions.filter((p) => p.partType !== "extended");
  return combinePlanned([
    planned({ steps, tools: ["parted"] }),
    planPartitionWait(diskName, waited.map((p) => partitionRef(device, p.number, ""))),
  ]);
}

function createPartitionSteps(diskName: string, device: string, p: NumberedMsdosPartition) {
  const fsType = p.partition["fs-type"];
  const flags = [...(p.partition.bootable === true ? ["boot"] : []), ...(p.partition.flags ?? [])];
  return [
    runStep("partition", `create ${p.partType} partition ${p.number} on disk ${diskName}`, [
      "parted", "-s", device, "--", "mkpart", p.partType,
      ...(fsType === undefined ? [] : [fsType]),
      p.partition.start ?? "0%", p.partition.end ?? "100%",
    ]),
    ...flags.map((flag) =>
      runStep("partition", `set the ${flag} flag on partition ${p.number} of disk ${diskName}`, ["parted", "-s", device, "--", "set", String(p.number), flag, "on"]),
    ),
  ];
}
