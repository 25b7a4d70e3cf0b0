import { errAsync, ResultAsync } from "neverthrow";
import { UsageError, type NixosViaError, type Target } from "@nixos-via/core";
import { createTransportRegistry } from "../transports/createTransportRegistry.js";
import type { OperationOptions } from "./common.js";

/**
 * Opens a target that holds a system (a `dir:` root, a running machine over `ssh://`),
 * runs `work` on it, and closes it whatever happened. A `Target` given as such is used as
 * it is and left open: its owner closes it.
 */
export function withSystemTarget<T>(
  target: string | Target,
  options: OperationOptions,
  work: (target: Target) => ResultAsync<T, NixosViaError>,
): ResultAsync<T, NixosViaError> {
  if (typeof target !== "string") return work(target);
  const registry = options.registry ?? createTransportRegistry();
  const transport = registry.find(target);
  if (transport !== undefined && !transport.holdsSystem) {
    return errAsync(new UsageError(`${transport.scheme}: targets hold no running system; use dir:PATH or ssh://host (install writes disks and images)`));
  }
  return registry.open(target, { purpose: "system", root: "/", connection: options.connection }).andThen(
    (opened) =>
      new ResultAsync<T, NixosViaError>(
        (async () => {
          const result = await work(opened.target);
          await opened.target.close();
          return result;
        })(),
      ),
  );
}
