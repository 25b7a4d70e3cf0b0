import { errAsync, ResultAsync } from "neverthrow";
import { containerArgv, TargetUnusableError, UsageError, type ContainerCommand, type ExecResult, type NixosViaError, type Target } from "@nixos-via/core";
import { createTransportRegistry } from "../../transports/createTransportRegistry.js";
import type { SystemTargetOptions } from "../withSystemTarget.js";

/** Options every container operation takes: where the root is. */
export interface ContainerTargetOptions extends SystemTargetOptions {
  /** `dir:PATH` (a root on this machine) or `ssh://host` with `root` (a root on that host). */
  readonly target: string;
}

/**
 * Opens the machine a container root lives on (`dir:` here, `ssh://` with `root` there),
 * runs `work` with it, and closes it. The container runs on that machine, so the target's
 * root must be a root of its own, never the machine's `/`.
 */
export function withContainerHost<T>(options: ContainerTargetOptions, work: (host: Target) => ResultAsync<T, NixosViaError>): ResultAsync<T, NixosViaError> {
  const registry = options.registry ?? createTransportRegistry();
  const transport = registry.find(options.target);
  if (transport !== undefined && !transport.holdsSystem) {
    return errAsync(new UsageError(`${transport.scheme}: targets are not system roots; containers run dir:PATH or ssh://host --root DIR`));
  }
  const rootOption = transport?.installOptions.includes("root") ?? false;
  if (rootOption && (options.root === undefined || options.root === "/")) {
    return errAsync(new UsageError(`${options.target}: name the container's root on that host with --root DIR (the host's own / cannot run as a container)`));
  }
  if (!rootOption && options.root !== undefined) return errAsync(new UsageError(`--root is for ssh:// targets; ${options.target} names its root itself`));
  return registry.open(options.target, { purpose: "system", root: options.root, connection: options.connection }).andThen(
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

/** Runs one container command on the host; a non-zero exit becomes the script's own words. */
export function runContainerCommand(
  host: Target,
  command: ContainerCommand,
  args: readonly string[],
  options: { signal?: AbortSignal | undefined; onStdout?: ((chunk: Uint8Array) => void) | undefined } = {},
): ResultAsync<ExecResult, NixosViaError> {
  return host
    .exec(containerArgv(command, host.root, args), { ...(options.signal ? { signal: options.signal } : {}), ...(options.onStdout ? { onStdout: options.onStdout } : {}) })
    .andThen((r) => {
      if (r.exitCode === 0) return ResultAsync.fromSafePromise(Promise.resolve(r));
      const lines = r.stderr.trim().split("\n");
      const last = lines.filter((l) => l.startsWith("nixos-via-container: ")).at(-1)?.slice("nixos-via-container: ".length) ?? `the container command ${command} failed with exit code ${r.exitCode}`;
      return errAsync(new TargetUnusableError(host.uri, `${host.uri}: ${last}`, { details: lines.filter((l) => !l.startsWith("nixos-via-container: ")).join("\n") || undefined }));
    });
}
