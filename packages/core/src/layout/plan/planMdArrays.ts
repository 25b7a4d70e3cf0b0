import type { MdadmArray } from "../Layout.js";
import { layoutArgv } from "../layoutScript.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";
import { resolvingPartitions, runStep } from "./runStep.js";

/**
 * Creates each md array, by name, from its member devices; stopping it is left for the
 * unmount phase.
 *
 * @param members - each array's member devices, in creation order
 */
export function planMdArrays(arrays: Readonly<Record<string, MdadmArray>>, members: ReadonlyMap<string, readonly string[]>): PlannedSteps {
  return combinePlanned(Object.keys(arrays).sort().map((name) => planMdArray(name, arrays[name], members.get(name) ?? [])));
}

function planMdArray(name: string, md: MdadmArray | undefined, devices: readonly string[]): PlannedSteps {
  const metadata = md?.metadata ?? "default";
  const argv = [
    "mdadm", "--create", `/dev/md/${name}`, "--run", "--force", "--homehost=any",
    `--level=${md?.level ?? 1}`, `--raid-devices=${devices.length}`,
    ...(metadata === "default" ? [] : [`--metadata=${metadata}`]),
    ...(md?.extraArgs ?? []),
    ...devices,
  ];
  return planned({
    steps: [runStep("format", `create the md array /dev/md/${name} from ${devices.length} devices`, resolvingPartitions(argv))],
    teardown: [runStep("unmount", `stop the md array /dev/md/${name}`, layoutArgv("stop", [name]))],
    tools: ["mdadm", "sh"],
    kernelFeatures: ["md"],
  });
}
