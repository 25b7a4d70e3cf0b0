import type { HostOutcome } from "./HostOutcome.js";
import type { RolloutProgress } from "./RolloutProgress.js";

/**
 * Records how a wave's hosts ended and decides whether the rollout goes on: a failure in
 * the canary halts it, and so does reaching the failure budget (`haltAfter` failed hosts
 * in all). A stopped rollout (`aborted`) starts no further host; the hosts of its wave that
 * never started are recorded as such.
 *
 * @example
 * ```ts
 * progress = recordWave(progress, { "web-1": { kind: "confirmed", action: "deploy", generation: 2 } });
 * ```
 */
export function recordWave(progress: RolloutProgress, outcomes: Readonly<Record<string, HostOutcome>>, options: { readonly aborted?: boolean } = {}): RolloutProgress {
  const wave = progress.plan.waves[progress.wavesDone];
  if (wave === undefined) return progress;
  const aborted = progress.aborted || options.aborted === true;
  const recorded: Record<string, HostOutcome> = { ...progress.outcomes };
  for (const name of wave.hosts) recorded[name] = outcomes[name] ?? { kind: "not-started", reason: aborted ? "the rollout was stopped first" : "no outcome was reported" };
  const failedHere = wave.hosts.filter((n) => recorded[n]!.kind === "failed");
  const failed = Object.values(recorded).filter((o) => o.kind === "failed").length;
  const { haltAfter } = progress.plan.bounds;
  const halted =
    progress.halted ??
    (wave.kind === "canary" && failedHere.length > 0
      ? `the canary failed (${failedHere.join(", ")})`
      : failed >= haltAfter
        ? `${failed} ${failed === 1 ? "host" : "hosts"} failed, the budget is ${haltAfter} (--halt-after ${haltAfter})`
        : undefined);
  return { ...progress, outcomes: recorded, wavesDone: progress.wavesDone + 1, aborted, ...(halted === undefined ? {} : { halted }) };
}
