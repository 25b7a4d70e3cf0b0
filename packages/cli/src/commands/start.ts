import { startContainer } from "nixos-via";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { containerTarget, printContainerCommand, type ContainerOptions } from "./containerOptions.js";

/** Options of `nixos-via start`. */
export interface StartOptions extends ContainerOptions {
  readonly net?: boolean | undefined;
  readonly address?: string | undefined;
  readonly hostAddress?: string | undefined;
  readonly dryRun?: boolean | undefined;
}

/** `nixos-via start TARGET`: the SDK's {@link startContainer}. */
export async function start(targetUri: string, options: StartOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const started = await startContainer({
    ...containerTarget(targetUri, options),
    privateNetwork: options.net || undefined,
    address: options.address,
    hostAddress: options.hostAddress,
    dryRun: options.dryRun,
    signal,
  });
  if (started.isErr()) return failure(renderer)(started.error);
  const r = started.value;
  if (r.dryRun) {
    printContainerCommand(io, targetUri, r.command, options.json);
    return ExitCode.Ok;
  }
  const s = r.status!;
  const net = s.veth ? `, ${s.veth.address} on its veth pair (host ${s.veth.hostInterface} ${s.veth.hostAddress})` : s.network === "private" ? ", its own network (lo only)" : ", the host's network";
  renderer.result(`started ${targetUri} as a container: init PID ${s.pid} (${s.toplevel})${net}; console: nixos-via logs ${targetUri}${options.root ? ` --root ${options.root}` : ""}`, { ok: true, target: targetUri, ...s });
  return ExitCode.Ok;
}
