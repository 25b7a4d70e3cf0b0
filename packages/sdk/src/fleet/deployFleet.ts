import { ResultAsync } from "neverthrow";
import {
  nextWave,
  recordWave,
  saveRollout,
  startRollout,
  summariseRollout,
  type FleetPlan,
  type FleetSummary,
  type HostOutcome,
  type RolloutProgress,
} from "@nixos-via/core";
import { writeFleetState } from "./FleetState.js";
import type { FleetNetworkSource } from "./loadNetwork.js";
import { mapBounded } from "./mapBounded.js";
import { planFleet, type FleetOptions } from "./planFleet.js";
import { runHost } from "./runHost.js";
import type { FleetError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";

/** What a fleet rollout did: the plan, and how each host ended. */
export interface FleetReport {
  readonly dryRun: boolean;
  readonly plan: FleetPlan;
  /** Per host: its state and outcome; `ok` when every selected host is confirmed or unchanged. */
  readonly summary: FleetSummary;
  readonly durationMs: number;
}

/**
 * Rolls a network out: plans it ({@link planFleet}), then installs the hosts that hold no
 * system and deploys the others with the SDK's own {@link install} and {@link deploy}
 * (their checks, magic rollback and health checks), the canary first, then wave after
 * wave; a failed canary or a spent failure budget halts the rollout and leaves the rest
 * untouched. Hosts already on their system get no new generation. The state file beside
 * the network keeps how it ended, for `resume`. Ctrl-C (`signal`) starts no further host;
 * the running ones end as their operation does on its own.
 *
 * @example
 * ```ts
 * const r = await deployFleet("./network.nix", { canary: 1, maxUnavailable: "25%", onEvent: (e) => console.log(e.host, e.type) });
 * if (r.isOk() && !r.value.summary.ok) process.exitCode = 1;
 * ```
 */
export function deployFleet(network: FleetNetworkSource, options: FleetOptions = {}): ResultAsync<FleetReport, FleetError> {
  const started = Date.now();
  return withErrorCodes(planFleet(network, { ...options, previews: options.dryRun === true }).andThen(({ network: loaded, plan }) => {
    options.onEvent?.({ type: "fleet-plan", host: null, plan, dryRun: options.dryRun === true });
    if (options.dryRun) {
      const summary = summariseRollout(startRollout(plan, new Date(started).toISOString()));
      return ResultAsync.fromSafePromise(Promise.resolve<FleetReport>({ dryRun: true, plan, summary, durationMs: Date.now() - started }));
    }
    const save = (progress: RolloutProgress) =>
      loaded.stateFile === undefined
        ? Promise.resolve()
        : writeFleetState(loaded.stateFile, { args: loaded.args, knownHosts: loaded.hosts.map((h) => h.name), rollout: saveRollout(progress) }).match(() => undefined, () => undefined);
    return ResultAsync.fromSafePromise(
      (async (): Promise<FleetReport> => {
        let progress = startRollout(plan, new Date(started).toISOString());
        await save(progress);
        for (let wave = nextWave(progress); wave !== undefined; wave = nextWave(progress)) {
          options.onEvent?.({ type: "wave-start", host: null, wave });
          const width = Math.min(plan.bounds.parallel, plan.bounds.maxUnavailable);
          const ended = await mapBounded(
            wave.hosts,
            width,
            async (name): Promise<HostOutcome> => {
              const host = loaded.hosts.find((h) => h.name === name)!;
              const action = plan.hosts.find((h) => h.name === name)!.state === "install" ? "install" : "deploy";
              options.onEvent?.({ type: "host-start", host: name, action });
              const outcome = await runHost(host, action, { ...options, onEvent: (e) => options.onEvent?.({ ...e, host: name }) });
              options.onEvent?.({ type: "host-end", host: name, outcome });
              return outcome;
            },
            () => options.signal?.aborted !== true,
          );
          const outcomes = Object.fromEntries(wave.hosts.flatMap((n, i) => (ended[i] === undefined ? [] : [[n, ended[i]!] as const])));
          progress = recordWave(progress, outcomes, { aborted: options.signal?.aborted === true });
          await save(progress);
          options.onEvent?.({ type: "wave-end", host: null, wave, failed: wave.hosts.filter((n) => progress.outcomes[n]?.kind === "failed") });
          if (progress.halted !== undefined) options.onEvent?.({ type: "halt", host: null, reason: progress.halted });
        }
        const summary = summariseRollout(progress);
        options.onEvent?.({ type: "fleet-done", host: null, summary });
        return { dryRun: false, plan, summary, durationMs: Date.now() - started };
      })(),
    );
  }));
}
