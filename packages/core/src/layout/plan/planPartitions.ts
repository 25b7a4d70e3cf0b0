import { nameOfDisk } from "../walkLayout.js";
import type { DiskDevice } from "./diskDevices.js";
import { planGptTable } from "./planGptTable.js";
import { planMsdosTable } from "./planMsdosTable.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";

/** Puts steps around a node's own (the layout's create hooks), by the node's path. */
export type WrapCreate = (path: string, part: PlannedSteps) => PlannedSteps;

/** Phase partition: a new GPT or msdos table on each disk that holds one, disks by name. */
export function planPartitions(disks: readonly DiskDevice[], wrap: WrapCreate = (_, part) => part): PlannedSteps {
  return combinePlanned(
    disks.map(({ name, disk, device }) => {
      const content = disk.content;
      const table =
        content?.type === "gpt"
          ? planGptTable({ type: "disk", name: nameOfDisk(name, disk) }, `disk ${name}`, device, content)
          : content?.type === "table"
            ? planMsdosTable(name, device, content)
            : planned({});
      return wrap(`disk.${name}`, content?.type === "gpt" || content?.type === "table" ? wrap(`disk.${name}.content`, table) : table);
    }),
  );
}
