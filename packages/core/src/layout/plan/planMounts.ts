import type { LayoutMount } from "../planLayout.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { resolvingPartitions, runStep } from "./runStep.js";

/** Phase mount: each mount's folder, then the mount, in the order given (parents first). */
export function planMounts(mounts: readonly LayoutMount[]): PlannedSteps {
  const steps = mounts.flatMap((m) => [
    runStep("mount", `create the mountpoint ${m.path}`, ["mkdir", "-p", m.path]),
    runStep("mount", `mount ${m.description} on ${m.path}`, resolvingPartitions(["mount", "-t", m.fsType, "-o", m.options.join(","), m.device, m.path])),
  ]);
  return planned({
    steps,
    tools: mounts.length > 0 ? ["mkdir", "mount"] : [],
    filesystems: mounts.map((m) => m.fsType),
  });
}
