import type { Phase } from "../../pipeline/Step.js";
import { layoutArgv } from "../layoutScript.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/** What the layout script needs to find a partition's device, and make its node when udev does not. */
const RESOLVER_TOOLS = ["sh", "readlink", "cat", "partx", "sleep", "mknod"];

/**
 * After a partition table is written, waits until the kernel shows the partitions: later
 * steps must not race the partition devices appearing.
 */
export function planPartitionWait(words: string, partitionRefs: readonly string[], phase: Phase = "partition"): PlannedSteps {
  if (partitionRefs.length === 0) return planned({});
  return planned({
    steps: [runStep(phase, `wait for the partition devices of ${words}`, layoutArgv("wait", partitionRefs))],
    tools: RESOLVER_TOOLS,
  });
}
