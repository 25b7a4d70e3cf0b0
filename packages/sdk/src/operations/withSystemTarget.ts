import { errAsync, ResultAsync } from "neverthrow";
import { enterRunningContainer, UsageError, type NixosViaError, type Target } from "@nixos-via/core";
import { createTransportRegistry } from "../transports/createTransportRegistry.js";
import type { OperationOptions } from "./common.js";

/** Options of the operations on a target that holds a system. */
export interface SystemTargetOptions extends OperationOptions {
  /**
   * For `ssh://`: a root on that host other than its own `/` (a stored root, or the root
   * of a container running there). @default "/" (the machine itself)
   */
  readonly root?: string | undefined;
}

/**
 * Opens a target that holds a system (a `dir:` root, a running machine over `ssh://`, a
 * root on a host over `ssh://` with `root`), runs `work` on it, and closes it whatever
 * happened. A root whose container runs (`startContainer`) is worked on inside the
 * container, as the running system it is. A `Target` given as such is used as it is and
 * left open: its owner closes it.
 */
export function withSystemTarget<T>(
  target: string | Target,
  options: SystemTargetOptions,
  work: (target: Target) => ResultAsync<T, NixosViaError>,
): ResultAsync<T, NixosViaError> {
  if (typeof target !== "string") return work(target);
  const registry = options.registry ?? createTransportRegistry();
  const transport = registry.find(target);
  if (transport !== undefined && !transport.holdsSystem) {
    return errAsync(new UsageError(`${transport.scheme}: targets hold no running system; use dir:PATH or ssh://host (install writes disks and images)`));
  }
  if (transport !== undefined && options.root !== undefined && !transport.installOptions.includes("root")) {
    return errAsync(new UsageError(`--root is for ssh:// targets; ${target} names its root itself`));
  }
  return registry.open(target, { purpose: "system", root: options.root ?? "/", connection: options.connection }).andThen(
    (opened) =>
      new ResultAsync<T, NixosViaError>(
        (async () => {
          const result = await enterRunningContainer(opened.target).andThen((inside) => work(inside ?? opened.target));
          await opened.target.close();
          return result;
        })(),
      ),
  );
}
