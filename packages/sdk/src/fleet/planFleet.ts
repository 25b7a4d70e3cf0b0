import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { planRollout, selectHosts, UsageError, type FleetHost, type FleetPlan, type HostFacts, type NixosViaError, type PlannedHost } from "@nixos-via/core";
import { realiseDerivations, type NetworkArgument } from "@nixos-via/transport-local";
import type { OperationOptions } from "../operations/common.js";
import { previewDeploy, previewInstall } from "../operations/previews.js";
import type { FleetEvent } from "./FleetEvent.js";
import { loadNetwork, type FleetNetworkSource, type LoadedNetwork } from "./loadNetwork.js";
import { mapBounded } from "./mapBounded.js";
import { installParameters } from "./installParameters.js";
import { openHost } from "./openHost.js";
import { probeHost } from "./probeHost.js";
import type { FleetError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";

/** Options of {@link planFleet} and {@link deployFleet}; the CLI's `fleet` flags carry the same names. */
export interface FleetOptions extends Omit<OperationOptions, "onEvent"> {
  /** The network's arguments. @default those `fleet set-args` stored in the state file */
  readonly args?: Readonly<Record<string, NetworkArgument>> | undefined;
  /** Where the state is kept for an object network. @default beside the network file; none for an object */
  readonly stateFile?: string | undefined;
  /** Host names and tags to act on (`--on`). @default every host */
  readonly on?: string | readonly string[] | undefined;
  /** Hosts worked on at once, and builds at once. @default 10 */
  readonly parallel?: number | undefined;
  /** Hosts of the first wave, alone. @default 1 */
  readonly canary?: number | undefined;
  /** The widest later wave: hosts, or a share such as `"25%"`. @default "25%" */
  readonly maxUnavailable?: number | string | undefined;
  /** Halt once this many hosts failed (the canary halts at its first). @default 1 */
  readonly haltAfter?: number | undefined;
  /** Continue the rollout that halted, with its hosts that never started. @default false */
  readonly resume?: boolean | undefined;
  /** Plan, build and look at every host; touch none. @default false */
  readonly dryRun?: boolean | undefined;
  /** Every event of the run, each tagged with its `host`. */
  readonly onEvent?: ((event: FleetEvent) => void) | undefined;
}

/** A rollout's plan, with the network it was made from. */
export interface FleetPreview {
  readonly network: LoadedNetwork;
  readonly plan: FleetPlan;
}

/**
 * Plans a rollout without touching any host: evaluates the network, builds every system
 * here in one bounded Nix call (a path many hosts share is built once), looks at each
 * selected host, and with `previews` asks each host's own dry run what it would send.
 *
 * @example
 * ```ts
 * const p = await planFleet("./network.nix", { on: "proxy" });
 * if (p.isOk()) process.stdout.write(formatFleetPlan(p.value.plan));
 * ```
 */
export function planFleet(network: FleetNetworkSource, options: FleetOptions & { readonly previews?: boolean | undefined } = {}): ResultAsync<FleetPreview, FleetError> {
  return withErrorCodes(loadNetwork(network, { args: options.args, stateFile: options.stateFile }).andThen((loaded) =>
    selectHosts(loaded.hosts, options.on).asyncAndThen((selected) => {
      const drvs = selected.flatMap((h) => (h.system.drvPath === undefined ? [] : [h.system.drvPath]));
      if (drvs.length > 0) options.onEvent?.({ type: "build", host: null, derivations: new Set(drvs).size });
      return realiseDerivations(drvs, { maxJobs: options.parallel ?? 10, signal: options.signal })
        .andThen(() => ResultAsync.fromSafePromise(lookAtHosts(selected, options)))
        .andThen((facts) => {
          if (options.resume && loaded.state.rollout === undefined) return errAsync(noRollout(loaded));
          return planRollout({
            hosts: loaded.hosts,
            selected: selected.map((h) => h.name),
            facts,
            knownHosts: loaded.state.knownHosts,
            canary: options.canary,
            maxUnavailable: options.maxUnavailable,
            parallel: options.parallel,
            haltAfter: options.haltAfter,
            resume: options.resume ? loaded.state.rollout : undefined,
            last: loaded.state.rollout,
          });
        })
        .andThen((plan) => (options.previews ? ResultAsync.fromSafePromise(withPreviews(plan, loaded.hosts, options)) : okAsync(plan)))
        .map((plan) => ({ network: loaded, plan }));
    }),
  ));
}

function noRollout(loaded: LoadedNetwork): NixosViaError {
  return new UsageError(`--resume: ${loaded.stateFile ?? "the state file"} holds no rollout to continue; run fleet deploy without --resume`);
}

async function lookAtHosts(hosts: readonly FleetHost[], options: FleetOptions): Promise<Record<string, HostFacts>> {
  const facts = await mapBounded(hosts, options.parallel ?? 10, (h) => probeHost(h, options));
  return Object.fromEntries(hosts.map((h, i) => [h.name, facts[i]!]));
}

/** Each acting host's own dry run: paths and bytes it would be sent, and its switch. */
async function withPreviews(plan: FleetPlan, hosts: readonly FleetHost[], options: FleetOptions): Promise<FleetPlan> {
  const acting = new Set(plan.waves.flatMap((w) => w.hosts));
  const detailed = await mapBounded(plan.hosts, options.parallel ?? 10, async (p): Promise<PlannedHost> => {
    const host = hosts.find((h) => h.name === p.name)!;
    if (!acting.has(p.name)) return p;
    const common = { registry: options.registry, connection: options.connection, system: host.system.path };
    if (p.state === "install") {
      const given = installParameters(host);
      if (given.isErr()) return { ...p, problem: given.error.message };
      const preview = await previewInstall({ ...common, ...given.value });
      return preview.match((plan) => ({ ...p, copy: { paths: plan.copy.paths, bytes: plan.copy.bytes }, switchAction: "install" }), (e) => ({ ...p, problem: e.message }));
    }
    const opened = await openHost(host, options);
    if (opened.isErr()) return { ...p, problem: opened.error.message };
    const preview = await previewDeploy({ ...common, target: opened.value.target, healthChecks: host.healthChecks });
    await opened.value.target.close();
    return preview.match((plan) => ({ ...p, copy: { paths: plan.copy.paths, bytes: plan.copy.bytes }, switchAction: plan.switchAction }), (e) => ({ ...p, problem: e.message }));
  });
  return { ...plan, hosts: detailed.map((h, i) => h ?? plan.hosts[i]!) };
}
