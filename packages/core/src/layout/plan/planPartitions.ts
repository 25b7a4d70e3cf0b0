import type { DiskDevice } from "./diskDevices.js";
import { planGptTable } from "./planGptTable.js";
import { planMsdosTable } from "./planMsdosTable.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";

/** Phase partition: a new GPT or msdos table on each disk that holds one, disks by name. */
export function planPartitions(disks: readonly DiskDevice[]): PlannedSteps {
  return combinePlanned(
    disks.map(({ name, disk, device }) => {
      const content = disk.content;
      if (content?.type === "gpt") return planGptTable(name, device, content);
      if (content?.type === "table") return planMsdosTable(name, device, content);
      return planned({});
    }),
  );
}
