import type { FleetPlan, Wave } from "./FleetPlan.js";
import type { HostOutcome } from "./HostOutcome.js";

/** Where a running rollout stands: what each host ended with so far, and whether it stopped. */
export interface RolloutProgress {
  readonly plan: FleetPlan;
  readonly startedAt: string;
  /** The waves that ended, in order. */
  readonly wavesDone: number;
  /** How each host that was started (or will never be) ended, by name. */
  readonly outcomes: Readonly<Record<string, HostOutcome>>;
  /** Why no further wave starts: a failure budget ran out, or the canary failed. */
  readonly halted?: string | undefined;
  /** The rollout was stopped from outside (Ctrl-C). */
  readonly aborted: boolean;
}

/**
 * A rollout that has not started yet.
 *
 * @example
 * ```ts
 * let progress = startRollout(plan, new Date().toISOString());
 * ```
 */
export function startRollout(plan: FleetPlan, startedAt: string): RolloutProgress {
  return { plan, startedAt, wavesDone: 0, outcomes: {}, aborted: false };
}

/** The wave to start now, or none: every wave ended, or the rollout halted or was stopped. */
export function nextWave(progress: RolloutProgress): Wave | undefined {
  if (progress.halted !== undefined || progress.aborted) return undefined;
  return progress.plan.waves[progress.wavesDone];
}
