import { containerStatus } from "nixos-via";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { containerTarget, type ContainerOptions } from "./containerOptions.js";

/** Options of `nixos-via status`. */
export interface StatusOptions extends ContainerOptions {
  /** Console lines to show. @default 10 */
  readonly lines: number;
}

/** `nixos-via status TARGET`: exit 0 while the container runs, 1 when it does not. */
export async function status(targetUri: string, options: StatusOptions, io: Io): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const read = await containerStatus({ ...containerTarget(targetUri, options), lines: options.lines });
  if (read.isErr()) return failure(renderer)(read.error);
  const s = read.value;
  const code = s.state === "running" ? ExitCode.Ok : ExitCode.Failed;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ type: "status", target: targetUri, ...s })}\n`);
    return code;
  }
  const out = (line: string) => io.stdout.write(`${line}\n`);
  switch (s.state) {
    case "running":
      out(`${targetUri}: running, init PID ${s.pid}, ${s.current ?? s.toplevel}${s.current !== undefined && s.current !== s.toplevel ? ` (booted ${s.toplevel})` : ""}`);
      if (s.veth) out(`  network: ${s.veth.address} (host side ${s.veth.hostInterface} ${s.veth.hostAddress})`);
      else out(`  network: ${s.network === "private" ? "its own (lo only)" : "the host's"}`);
      break;
    case "exited":
      out(`${targetUri}: not running: its init exited${s.exitStatus === undefined ? "" : ` with status ${s.exitStatus}`} (${s.toplevel ?? "?"})`);
      break;
    case "stopped":
      out(`${targetUri}: stopped`);
      break;
    case "absent":
      out(`${targetUri}: never ran as a container`);
      break;
  }
  if (s.console.length > 0) {
    out(`  console (${s.stateDir}/console.log), last ${s.console.length} lines:`);
    for (const line of s.console) out(`    ${line}`);
  }
  return code;
}
