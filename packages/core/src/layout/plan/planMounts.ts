import type { LayoutMount } from "../planLayout.js";
import type { RunStep } from "../../pipeline/Step.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { resolvingPartitions, runStep } from "./runStep.js";

/** Puts steps around each mount's own (the layout's mount hooks). */
export type ArrangeMounts = (perMount: readonly { readonly mount: LayoutMount; readonly steps: readonly RunStep[] }[]) => RunStep[];

/** Phase mount: each mount's folder, then the mount, in the order given (parents first). */
export function planMounts(mounts: readonly LayoutMount[], arrange: ArrangeMounts = (p) => p.flatMap((m) => m.steps)): PlannedSteps {
  const steps = arrange(mounts.map((m) => ({
    mount: m,
    steps: [
      runStep("mount", `create the mountpoint ${m.path}`, ["mkdir", "-p", m.path]),
      runStep("mount", `mount ${m.description} on ${m.path}`, resolvingPartitions(["mount", "-t", m.fsType, "-o", m.options.join(","), m.device, m.path])),
    ],
  })));
  return planned({
    steps,
    tools: mounts.length > 0 ? ["mkdir", "mount"] : [],
    filesystems: mounts.map((m) => m.fsType),
  });
}
