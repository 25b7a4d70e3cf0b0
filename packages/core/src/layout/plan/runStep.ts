import type { Phase, RunStep } from "../../pipeline/Step.js";
import { layoutArgv } from "../layoutScript.js";

/** device-mapper makes its own /dev nodes (and LVM its /dev/VG/LV links) when udev does not. */
export const NO_UDEV: Readonly<Record<string, string>> = { DM_DISABLE_UDEV: "1" };

/** A layout step: a command run on the target, with an environment only when it needs one. */
export function runStep(phase: Phase, description: string, argv: readonly string[], env?: Readonly<Record<string, string>>): RunStep {
  return { kind: "run", phase, description, argv, ...(env === undefined ? {} : { env }) };
}

/**
 * The command as it runs on the target: through the layout script when an argument is a
 * partition reference (`@part:…`), which the script replaces with the partition's device.
 */
export function resolvingPartitions(argv: readonly string[]): string[] {
  return argv.some((a) => a.startsWith("@part:")) ? layoutArgv("run", argv) : [...argv];
}
