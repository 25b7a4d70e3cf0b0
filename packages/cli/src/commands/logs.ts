import { containerLogs } from "nixos-via";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { containerTarget, type ContainerOptions } from "./containerOptions.js";

/** Options of `nixos-via logs`. */
export interface LogsOptions extends ContainerOptions {
  readonly lines?: number | undefined;
  readonly follow?: boolean | undefined;
}

/** `nixos-via logs TARGET [--follow]`: the container's console; Ctrl-C ends a follow. */
export async function logs(targetUri: string, options: LogsOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  // With --json each console line is one object; a partial last line waits for its end.
  let pending = "";
  const json = (text: string) => {
    const lines = (pending + text).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) io.stdout.write(`${JSON.stringify({ type: "console", line })}\n`);
  };
  const shown = await containerLogs({
    ...containerTarget(targetUri, options),
    lines: options.lines,
    follow: options.follow,
    signal,
    onOutput: (text) => (options.json ? json(text) : io.stdout.write(text)),
  });
  if (options.json && pending !== "") json("\n");
  if (shown.isErr()) return signal.aborted ? ExitCode.Ok : failure(renderer)(shown.error);
  return ExitCode.Ok;
}
