import { ResultAsync } from "neverthrow";
import type { FleetHost, HostFacts, SavedRollout } from "@nixos-via/core";
import type { NetworkArgument } from "@nixos-via/transport-local";
import type { FleetOptions } from "./planFleet.js";
import { loadNetwork, type FleetNetworkSource } from "./loadNetwork.js";
import { mapBounded } from "./mapBounded.js";
import { probeHost } from "./probeHost.js";
import type { FleetError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";

/** What `fleet info` shows. */
export interface FleetInfo {
  readonly file?: string | undefined;
  readonly stateFile?: string | undefined;
  /** The arguments stored by `set-args`. */
  readonly args: Readonly<Record<string, NetworkArgument>>;
  /** Each host the arguments produce, with what it runs now. */
  readonly hosts: readonly { readonly host: FleetHost; readonly facts: HostFacts }[];
  /** Hosts the last rollout saw that the network no longer has. */
  readonly left: readonly string[];
  readonly rollout?: SavedRollout | undefined;
}

/**
 * The network's stored arguments, the hosts they produce, and what each runs now. Builds
 * nothing and touches no host.
 *
 * @example
 * ```ts
 * const info = await fleetInfo("./network.nix");
 * ```
 */
export function fleetInfo(network: FleetNetworkSource, options: Pick<FleetOptions, "parallel" | "registry" | "connection" | "stateFile"> = {}): ResultAsync<FleetInfo, FleetError> {
  return withErrorCodes(loadNetwork(network, { stateFile: options.stateFile }).andThen((loaded) =>
    ResultAsync.fromSafePromise(mapBounded(loaded.hosts, options.parallel ?? 10, (h) => probeHost(h, options))).map((facts): FleetInfo => ({
      ...(loaded.file === undefined ? {} : { file: loaded.file }),
      ...(loaded.stateFile === undefined ? {} : { stateFile: loaded.stateFile }),
      args: loaded.args,
      hosts: loaded.hosts.map((host, i) => ({ host, facts: facts[i]! })),
      left: loaded.state.knownHosts.filter((n) => !loaded.hosts.some((h) => h.name === n)),
      ...(loaded.state.rollout === undefined ? {} : { rollout: loaded.state.rollout }),
    })),
  ));
}
