import { formatSteps } from "@nixos-via/core";
import { gc as collectGarbage } from "nixos-via";
import { toConnection, type ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { printPlan } from "../render/printPlan.js";

/** Options of `nixos-via gc`. */
export interface GcOptions extends ConnectionOptions {
  /** For ssh://: a root on that host instead of its own / (e.g. a container's). */
  readonly root?: string | undefined;
  readonly keep?: number | undefined;
  /** Days. */
  readonly olderThan?: number | undefined;
  readonly dryRun?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/** `nixos-via gc TARGET --keep N | --older-than 30d`: the SDK's {@link collectGarbage}. */
export async function gc(targetUri: string, options: GcOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const collected = await collectGarbage({
    target: targetUri,
    keep: options.keep,
    olderThan: options.olderThan === undefined ? undefined : `${options.olderThan}d`,
    dryRun: options.dryRun,
    root: options.root,
    connection: toConnection(targetUri, options),
    onEvent: (e) => renderer.event(e),
    signal,
  });
  if (collected.isErr()) return failure(renderer)(collected.error);
  const { plan, removed, dryRun } = collected.value;
  if (dryRun) {
    printPlan(io, plan, { json: options.json, text: formatSteps(plan.steps) });
    return ExitCode.Ok;
  }
  const count = removed.length === 1 ? "1 generation" : `${removed.length} generations`;
  renderer.result(`removed ${count} (${removed.join(", ") || "none"}) from ${targetUri} and collected garbage`, { ok: true, target: targetUri, removed });
  return ExitCode.Ok;
}
