import type { ResultAsync } from "neverthrow";
import type { FleetHost, NixosViaError } from "@nixos-via/core";
import { createTransportRegistry, type RegisteredTarget } from "../transports/createTransportRegistry.js";
import type { OperationOptions } from "../operations/common.js";

/** Opens a host's target at its system root (`root`, for ssh:// hosts whose system is not `/`). */
export function openHost(host: FleetHost, options: Pick<OperationOptions, "registry" | "connection">): ResultAsync<RegisteredTarget, NixosViaError> {
  const registry = options.registry ?? createTransportRegistry();
  return registry.open(host.target, { purpose: "system", root: host.root ?? "/", connection: options.connection });
}
