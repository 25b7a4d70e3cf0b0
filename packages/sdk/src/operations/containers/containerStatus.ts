import type { ResultAsync } from "neverthrow";
import { parseContainerStatus, type ContainerStatus } from "@nixos-via/core";
import type { ContainerError } from "../../errors/operationErrorCodes.js";
import { withErrorCodes } from "../../errors/OperationError.js";
import { runContainerCommand, withContainerHost, type ContainerTargetOptions } from "./withContainerHost.js";

/** Options of {@link containerStatus}. */
export interface ContainerStatusParameters extends ContainerTargetOptions {
  /** How many of the console's last lines to include. @default 10 */
  readonly lines?: number | undefined;
}

/**
 * Whether a root runs as a container, and how: `running` (its init's PID, the toplevel it
 * booted, its network), `stopped` (by `stopContainer`), `exited` (its init died: its exit
 * status and the console's last lines say why) or `absent` (never started).
 *
 * @example
 * ```ts
 * const s = await containerStatus({ target: "dir:/var/lib/machines/web" });
 * if (s.isOk() && s.value.state === "exited") console.error(s.value.console.join("\n"));
 * ```
 */
export function containerStatus(parameters: ContainerStatusParameters): ResultAsync<ContainerStatus, ContainerError> {
  return withErrorCodes(
    withContainerHost(parameters, (host) =>
      runContainerCommand(host, "status", [String(parameters.lines ?? 10)]).andThen((r) => parseContainerStatus(r.stdout)),
    ),
  );
}
