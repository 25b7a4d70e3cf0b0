import { formatBytes, listGenerations } from "@nixos-via/core";
import type { ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import { failure, withSystemTarget } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";

/** `nixos-via generations TARGET`: number, date, toplevel, closure size, and which is current. */
export async function generations(targetUri: string, options: ConnectionOptions & { json?: boolean }, io: Io): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  return withSystemTarget(targetUri, options, renderer, async (target) => {
    const list = await listGenerations(target);
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
  });
}
