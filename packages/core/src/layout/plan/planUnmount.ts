import type { RunStep } from "../../pipeline/Step.js";
import { layoutArgv } from "../layoutScript.js";
import type { LayoutMount } from "../planLayout.js";
import type { ArrangeMounts } from "./planMounts.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/**
 * Phase unmount: the mounts children first, then the teardown of what the format phase
 * opened, in reverse order of creation. The layout script only acts on a mount or device
 * that is there, so the same steps clean up after a run that failed half-way.
 *
 * @param teardown - the steps that release devices, in creation order
 */
export function planUnmount(mounts: readonly LayoutMount[], teardown: readonly RunStep[], arrange: ArrangeMounts = (p) => p.flatMap((m) => m.steps)): PlannedSteps {
  const steps = [
    ...arrange([...mounts].reverse().map((m) => ({ mount: m, steps: [runStep("unmount", `unmount ${m.path}`, layoutArgv("unmount", [m.path]))] }))),
    ...[...teardown].reverse(),
  ];
  return planned({ steps, tools: steps.length > 0 ? ["sh", "awk", "umount"] : [] });
}
