import { resolve } from "node:path";
import { errAsync, type ResultAsync } from "neverthrow";
import { UsageError } from "@nixos-via/core";
import type { NetworkArgument } from "@nixos-via/transport-local";
import { fleetStatePath, readFleetState, writeFleetState } from "./FleetState.js";
import { loadNetwork } from "./loadNetwork.js";
import type { FleetError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";

/** Options of {@link setFleetArgs}. */
export interface SetFleetArgsParameters {
  /** The network file. */
  readonly network: string;
  /** Arguments to set: `{ arg: "200" }` is Nix code, `{ argstr: "yes" }` a string. @default {} */
  readonly set?: Readonly<Record<string, NetworkArgument>> | undefined;
  /** Arguments to drop, so the network's default applies again. @default [] */
  readonly unset?: readonly string[] | undefined;
}

/**
 * Stores the network's arguments in its state file, as `nixops set-args` does. The
 * network is evaluated with the new arguments first: arguments it cannot be evaluated
 * with are refused and the state stays as it was.
 *
 * @example
 * ```ts
 * await setFleetArgs({ network: "./network.nix", set: { nrProxyInstances: { arg: "200" } } });
 * ```
 */
export function setFleetArgs(parameters: SetFleetArgsParameters): ResultAsync<Readonly<Record<string, NetworkArgument>>, FleetError> {
  const file = parameters.network.includes("#") ? parameters.network : resolve(parameters.network);
  const stateFile = fleetStatePath(file);
  const both = Object.keys(parameters.set ?? {}).filter((n) => (parameters.unset ?? []).includes(n));
  if (both.length > 0) return errAsync(new UsageError(`--unset ${both[0]} and a value for it: give one`));
  return withErrorCodes(readFleetState(stateFile).andThen((state) => {
    const args: Record<string, NetworkArgument> = { ...state.args, ...parameters.set };
    for (const name of parameters.unset ?? []) delete args[name];
    return loadNetwork(file, { args }).andThen(() => writeFleetState(stateFile, { ...state, args })).map(() => args);
  }));
}
