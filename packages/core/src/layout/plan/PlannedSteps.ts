import type { RunStep } from "../../pipeline/Step.js";

/**
 * What one part of the layout planner contributes: its steps and what they need of the
 * machine doing the install. The parts are combined in creation order, so `teardown`
 * (undone in reverse) stays in that order too.
 */
export interface PlannedSteps {
  readonly steps: readonly RunStep[];
  /** Unmount-phase steps that release what `steps` set up (close, deactivate, stop), in creation order. */
  readonly teardown: readonly RunStep[];
  /** Commands the steps run, in any order and possibly repeated. */
  readonly tools: readonly string[];
  /** File system types the installing kernel must mount. */
  readonly filesystems: readonly string[];
  /** Kernel features beyond file systems: `device-mapper`, `dm-crypt`, `md`. */
  readonly kernelFeatures: readonly string[];
  /** Files on the target the steps read LUKS keys or passphrases from. */
  readonly keyFiles: readonly string[];
}

/** A part of a plan with nothing where nothing is given. */
export function planned(part: Partial<PlannedSteps>): PlannedSteps {
  return { steps: [], teardown: [], tools: [], filesystems: [], kernelFeatures: [], keyFiles: [], ...part };
}

/** The parts one after the other. */
export function combinePlanned(parts: readonly PlannedSteps[]): PlannedSteps {
  return {
    steps: parts.flatMap((p) => p.steps),
    teardown: parts.flatMap((p) => p.teardown),
    tools: parts.flatMap((p) => p.tools),
    filesystems: parts.flatMap((p) => p.filesystems),
    kernelFeatures: parts.flatMap((p) => p.kernelFeatures),
    keyFiles: parts.flatMap((p) => p.keyFiles),
  };
}
