import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { containerArgv, parseContainerStatus, type ContainerState, type ContainerStatus } from "@nixos-via/core";
import type { ContainerError } from "../../errors/operationErrorCodes.js";
import { withErrorCodes } from "../../errors/OperationError.js";
import { normaliseDuration, type Duration } from "../../options/normalise.js";
import { runContainerCommand, withContainerHost, type ContainerTargetOptions } from "./withContainerHost.js";

/** Options of {@link stopContainer}. */
export interface StopContainerParameters extends ContainerTargetOptions {
  /** How long its init may take to end after SIGTERM before the container is killed. @default 10 (seconds) */
  readonly timeout?: Duration | undefined;
  /** Check and print the command, stop nothing. @default false */
  readonly dryRun?: boolean | undefined;
}

/** What {@link stopContainer} did. */
export interface StopContainerReport {
  readonly dryRun: boolean;
  readonly command: readonly string[];
  /** How it stood before: only a `running` one was stopped. */
  readonly before: ContainerState;
  /** How it stands now (for a dry run: as before). */
  readonly status: ContainerStatus;
}

/**
 * Stops a root's container: SIGTERM to its init, SIGKILL to the whole container after
 * `timeout`. The kernel removes its namespaces with the last process, and with them its
 * mounts and veth pair; the console log stays for `containerLogs`. A container that is
 * not running is left as it is.
 *
 * @example
 * ```ts
 * await stopContainer({ target: "ssh://host", root: "/var/lib/machines/web" });
 * ```
 */
export function stopContainer(parameters: StopContainerParameters): ResultAsync<StopContainerReport, ContainerError> {
  const timeoutS = normaliseDuration("timeout", parameters.timeout, 10);
  if (timeoutS.isErr()) return errAsync(timeoutS.error);
  return withErrorCodes(
    withContainerHost(parameters, (host) => {
      const args = [String(timeoutS.value)];
      const command = containerArgv("stop", host.root, args);
      const status = () => runContainerCommand(host, "status", ["10"]).andThen((r) => parseContainerStatus(r.stdout));
      return status().andThen((before) => {
        if (parameters.dryRun || before.state !== "running") return okAsync<StopContainerReport>({ dryRun: parameters.dryRun ?? false, command, before: before.state, status: before });
        return runContainerCommand(host, "stop", args)
          .andThen(status)
          .map((after): StopContainerReport => ({ dryRun: false, command, before: before.state, status: after }));
      });
    }),
  );
}
