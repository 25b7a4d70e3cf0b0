import { rollback as rollbackSystem } from "nixos-via";
import { toConnection, type ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { printPlan } from "../render/printPlan.js";

/** Options of `nixos-via rollback`. */
export interface RollbackOptions extends ConnectionOptions {
  /** For ssh://: a root on that host instead of its own / (e.g. a container's). */
  readonly root?: string | undefined;
  /** @default true */
  readonly magicRollback: boolean;
  /** Seconds. @default 30 */
  readonly confirmTimeout: number;
  readonly dryRun?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/** `nixos-via rollback TARGET`: the SDK's {@link rollbackSystem}. */
export async function rollback(targetUri: string, options: RollbackOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const rolled = await rollbackSystem({
    target: targetUri,
    magicRollback: options.magicRollback,
    confirmTimeout: options.confirmTimeout,
    dryRun: options.dryRun,
    root: options.root,
    connection: toConnection(targetUri, options),
    onEvent: (e) => renderer.event(e),
    signal,
  });
  if (rolled.isErr()) return failure(renderer)(rolled.error);
  const r = rolled.value;
  if (r.dryRun) {
    printPlan(io, r.plan, options);
    return ExitCode.Ok;
  }
  renderer.result(`rolled ${targetUri} back from generation ${r.from} to ${r.to} (${r.toplevel})`, { ok: true, target: targetUri, from: r.from, to: r.to, toplevel: r.toplevel });
  return ExitCode.Ok;
}
