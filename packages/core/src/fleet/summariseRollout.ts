import type { HostState } from "./decideHostState.js";
import type { HostOutcome } from "./HostOutcome.js";
import type { RolloutProgress } from "./RolloutProgress.js";
import type { SavedRollout } from "./SavedRollout.js";

/** One line of a rollout's summary. */
export interface HostSummary {
  readonly name: string;
  readonly target: string;
  readonly state: HostState;
  readonly outcome: HostOutcome;
}

/** How a rollout ended, host by host. `ok` exactly when every selected host is confirmed or unchanged. */
export interface FleetSummary {
  readonly ok: boolean;
  readonly hosts: readonly HostSummary[];
  /** Hosts that left the network: listed, never touched. */
  readonly left: readonly string[];
  readonly counts: Readonly<Record<HostOutcome["kind"], number>>;
  readonly halted?: string | undefined;
  readonly aborted: boolean;
}

/**
 * The summary of a rollout, also of one that halted or was stopped: hosts that never
 * started say why (halted, stopped, unreachable, failed in the run `--resume` continues).
 *
 * @example
 * ```ts
 * const summary = summariseRollout(progress);
 * if (!summary.ok) process.exitCode = 1;
 * ```
 */
export function summariseRollout(progress: RolloutProgress): FleetSummary {
  const { plan } = progress;
  const hosts = plan.hosts.map((h): HostSummary => {
    const recorded = progress.outcomes[h.name];
    const outcome: HostOutcome =
      recorded ??
      (h.state === "unchanged"
        ? { kind: "unchanged" }
        : { kind: "not-started", reason: h.problem ?? (h.failedEarlier ? "it failed in the rollout that halted; deploy without --resume to retry it" : progress.aborted ? "the rollout was stopped first" : progress.halted !== undefined ? "the rollout halted first" : "not in any wave") });
    return { name: h.name, target: h.target, state: h.state, outcome };
  });
  const counts = { confirmed: 0, unchanged: 0, failed: 0, aborted: 0, "not-started": 0 };
  for (const h of hosts) counts[h.outcome.kind]++;
  return {
    ok: hosts.every((h) => h.outcome.kind === "confirmed" || h.outcome.kind === "unchanged"),
    hosts,
    left: plan.left,
    counts,
    ...(progress.halted === undefined ? {} : { halted: progress.halted }),
    aborted: progress.aborted,
  };
}

/**
 * What the state file keeps of a rollout for `--resume`: the hosts it meant to act on,
 * with the toplevel each was to get and how each ended (`not-started` for those still to do).
 */
export function saveRollout(progress: RolloutProgress): SavedRollout {
  const hosts: Record<string, { toplevel: string; outcome: HostOutcome["kind"]; action: "install" | "deploy" }> = {};
  const summary = summariseRollout(progress);
  for (const h of summary.hosts) {
    const planned = progress.plan.hosts.find((p) => p.name === h.name)!;
    if (planned.state === "install" || planned.state === "deploy") hosts[h.name] = { toplevel: planned.toplevel, outcome: planned.failedEarlier ? "failed" : h.outcome.kind, action: planned.state };
  }
  return { startedAt: progress.startedAt, ...(progress.halted === undefined ? {} : { halted: progress.halted }), hosts };
}
