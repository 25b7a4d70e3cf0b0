import type { ResultAsync } from "neverthrow";
import type { ContainerError } from "../../errors/operationErrorCodes.js";
import { withErrorCodes } from "../../errors/OperationError.js";
import { runContainerCommand, withContainerHost, type ContainerTargetOptions } from "./withContainerHost.js";

/** Options of {@link containerLogs}. */
export interface ContainerLogsParameters extends ContainerTargetOptions {
  /** Only the last N lines. @default all of the current run's console */
  readonly lines?: number | undefined;
  /** Keep printing what the console gets until the container stops (or `signal` aborts). @default false */
  readonly follow?: boolean | undefined;
  /** Receives the console's text as it arrives. */
  readonly onOutput: (text: string) => void;
}

/**
 * The console of a root's container (what its init printed), from its last start on;
 * with `follow`, until it stops. Works after it stopped or died too.
 *
 * @example
 * ```ts
 * await containerLogs({ target: "dir:/var/lib/machines/web", follow: true, onOutput: (t) => process.stdout.write(t) });
 * ```
 */
export function containerLogs(parameters: ContainerLogsParameters): ResultAsync<void, ContainerError> {
  const decoder = new TextDecoder();
  return withErrorCodes(
    withContainerHost(parameters, (host) =>
      runContainerCommand(host, "logs", [parameters.lines === undefined ? "all" : String(parameters.lines), parameters.follow ? "1" : "0"], {
        signal: parameters.signal,
        onStdout: (chunk) => parameters.onOutput(decoder.decode(chunk, { stream: true })),
      }).map(() => undefined),
    ),
  );
}
