import { layoutArgv } from "../layoutScript.js";
import type { DiskDevice } from "./diskDevices.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/** Phase wipe: for each disk, refuse it when it is in use, then wipe its signatures. */
export function planWipe(disks: readonly DiskDevice[]): PlannedSteps {
  const steps = disks.flatMap(({ name, disk, device }) => {
    const words = diskWords(name, device, disk.device);
    return [
      runStep("wipe", `check that ${words} is not in use`, layoutArgv("unused", [device])),
      runStep("wipe", `wipe the signatures on ${words}`, ["wipefs", "--all", device]),
    ];
  });
  return planned({ steps, tools: disks.length > 0 ? ["sh", "readlink", "grep", "wipefs"] : [] });
}

/** `disk main (/dev/sdb)`, and when that is not the device the layout names, says so. */
function diskWords(name: string, device: string, layoutDevice: string | undefined): string {
  const instead = layoutDevice === undefined || layoutDevice === device ? "" : `, instead of the layout's ${layoutDevice}`;
  return `disk ${name} (${device}${instead})`;
}
