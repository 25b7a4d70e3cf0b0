import { formatSteps, listGenerations, planGc, runPlan, UsageError, type Plan } from "@nixos-via/core";
import type { ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import type { Io } from "../Io.js";
import { failure, withSystemTarget } from "../failure.js";
import { createRenderer } from "../render/createRenderer.js";

/** Options of `nixos-via gc`. */
export interface GcOptions extends ConnectionOptions {
  readonly keep?: number | undefined;
  /** Days. */
  readonly olderThan?: number | undefined;
  readonly dryRun?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/** `nixos-via gc TARGET --keep N | --older-than 30d`: drop old generations, then collect garbage. */
export async function gc(targetUri: string, options: GcOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const fail = failure(renderer);
  const { keep, olderThan } = options;
  if ((keep === undefined) === (olderThan === undefined)) return fail(new UsageError("name what to remove with exactly one of --keep N or --older-than DAYSd"));

  return withSystemTarget(targetUri, options, renderer, async (target) => {
    const list = await listGenerations(target);
    if (list.isErr()) return fail(list.error);
    const { remove, steps } = planGc(target, list.value, { keep, olderThanDays: olderThan });
    const current = list.value.find((g) => g.current);
    const plan: Plan = { action: "gc", target: targetUri, toplevel: current?.toplevel ?? "", generation: current?.number ?? 0, copy: { paths: 0, bytes: 0, present: 0, total: 0 }, steps, cleanup: [] };
    if (options.dryRun) {
      if (options.json) io.stdout.write(`${JSON.stringify({ type: "plan", dryRun: true, plan })}\n`);
      else io.stdout.write(formatSteps(steps));
      return ExitCode.Ok;
    }
    const ran = await runPlan(plan, { target, onEvent: (e) => renderer.event(e), signal });
    if (ran.isErr()) return fail(ran.error);
    renderer.result(`removed ${remove.length} generations (${remove.map((g) => g.number).join(", ") || "none"}) from ${targetUri} and collected garbage`, {
      ok: true, target: targetUri, removed: remove.map((g) => g.number),
    });
    return ExitCode.Ok;
  });
}
