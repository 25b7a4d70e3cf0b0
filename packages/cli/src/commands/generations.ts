import { formatBytes } from "@nixos-via/core";
import { generations as listGenerations } from "nixos-via";
import { toConnection, type ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";

/** `nixos-via generations TARGET`: number, date, toplevel, closure size, and which is current. */
export async function generations(targetUri: string, options: ConnectionOptions & { json?: boolean; root?: string }, io: Io): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const list = await listGenerations({ target: targetUri, root: options.root, connection: toConnection(targetUri, options) });
  if (list.isErr()) return failure(renderer)(list.error);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ type: "generations", target: targetUri, generations: list.value })}\n`);
    return ExitCode.Ok;
  }
  if (list.value.length === 0) io.stdout.write(`${targetUri} has no system generations\n`);
  for (const g of list.value) {
    const date = g.date.toISOString().slice(0, 16).replace("T", " ");
    io.stdout.write(`${String(g.number).padStart(4)}  ${date}  ${formatBytes(g.closureBytes).padStart(10)}  ${g.toplevel}${g.current ? "  (current)" : ""}\n`);
  }
  return ExitCode.Ok;
}
