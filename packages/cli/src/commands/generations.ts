import { formatBytes, listGenerations, type NixosViaError } from "@nixos-via/core";
import type { ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import type { Io } from "../Io.js";
import { openSystemTarget } from "../openTarget.js";
import { formatError } from "../render/renderPlain.js";

/** `nixos-via generations TARGET`: number, date, toplevel, closure size, and which is current. */
export async function generations(targetUri: string, options: ConnectionOptions & { json?: boolean }, io: Io): Promise<ExitCode> {
  const fail = (error: NixosViaError): ExitCode => {
    io.stderr.write(formatError(error));
    return error.code === "USAGE" ? ExitCode.Usage : ExitCode.Failed;
  };
  const opened = await openSystemTarget(targetUri, options);
  if (opened.isErr()) return fail(opened.error);
  const { target } = opened.value.resolved;
  try {
    const list = await listGenerations(target);
    if (list.isErr()) return fail(list.error);
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
  } finally {
    await target.close();
  }
}
