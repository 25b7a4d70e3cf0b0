import type { ClosureDiff } from "../deploy/diffClosures.js";
import type { SwitchOutcome } from "../deploy/SwitchOutcome.js";
import type { NixosViaError } from "../errors/index.js";
import type { Phase, Plan } from "./Step.js";

/**
 * What a run reports, in order. The CLI renders these as a progress display, plain lines
 * or NDJSON (`--json`); library users subscribe with `onEvent`.
 */
export type PipelineEvent =
  | { readonly type: "plan"; readonly plan: Plan }
  | { readonly type: "phase"; readonly phase: Phase }
  | {
      readonly type: "step-start";
      readonly index: number;
      readonly total: number;
      readonly phase: Phase;
      readonly description: string;
    }
  | { readonly type: "output"; readonly index: number; readonly stream: "stdout" | "stderr"; readonly line: string }
  /** What a step says about its own progress: reconnecting, confirming, waiting for a boot. */
  | { readonly type: "note"; readonly index?: number | undefined; readonly message: string }
  /** What a deploy changes: paths and versions added and removed. */
  | { readonly type: "diff"; readonly diff: ClosureDiff }
  | {
      readonly type: "progress";
      readonly index: number;
      readonly pathsDone: number;
      readonly pathsTotal: number;
      readonly bytesDone: number;
      readonly bytesTotal: number;
    }
  | { readonly type: "step-end"; readonly index: number; readonly ok: boolean; readonly durationMs: number }
  | {
      readonly type: "done";
      readonly ok: boolean;
      readonly durationMs: number;
      /** Store paths the run delivered, as `RunSummary.copiedPaths` (runPlan.ts) counts them. */
      readonly copiedPaths: number;
      readonly copiedBytes: number;
      readonly error?: NixosViaError;
      /** How the run's switch ended, when it had one. */
      readonly switchOutcome?: SwitchOutcome;
    };
