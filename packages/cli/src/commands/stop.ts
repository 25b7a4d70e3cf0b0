import { stopContainer } from "nixos-via";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { containerTarget, printContainerCommand, type ContainerOptions } from "./containerOptions.js";

/** Options of `nixos-via stop`. */
export interface StopOptions extends ContainerOptions {
  /** Seconds. @default 10 */
  readonly timeout: number;
  readonly dryRun?: boolean | undefined;
}

/** `nixos-via stop TARGET`: the SDK's {@link stopContainer}. */
export async function stop(targetUri: string, options: StopOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const stopped = await stopContainer({ ...containerTarget(targetUri, options), timeout: options.timeout, dryRun: options.dryRun, signal });
  if (stopped.isErr()) return failure(renderer)(stopped.error);
  const r = stopped.value;
  if (r.dryRun) {
    if (r.before !== "running") io.stderr.write(`${targetUri} does not run as a container (${r.before}): stop would do nothing\n`);
    printContainerCommand(io, targetUri, r.command, options.json);
    return ExitCode.Ok;
  }
  const line = r.before === "running" ? `stopped the container of ${targetUri}` : `${targetUri} was not running as a container (${r.before}); nothing to stop`;
  renderer.result(line, { ok: true, target: targetUri, before: r.before, state: r.status.state });
  return ExitCode.Ok;
}
