import { DeployRolledBackError, planRollback, probeTarget, runPlan, switchDetached, type Plan } from "@nixos-via/core";
import type { ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import type { Io } from "../Io.js";
import { failure, withSystemTarget } from "../failure.js";
import { createRenderer } from "../render/createRenderer.js";
import { switchOutcomeFailure } from "../switchOutcomeFailure.js";

/** Options of `nixos-via rollback`. */
export interface RollbackOptions extends ConnectionOptions {
  /** @default true */
  readonly magicRollback: boolean;
  /** Seconds. @default 30 */
  readonly confirmTimeout: number;
  readonly json?: boolean | undefined;
}

/** `nixos-via rollback TARGET`: the previous generation becomes current, and is switched to. */
export async function rollback(targetUri: string, options: RollbackOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const fail = failure(renderer);
  const confirmTimeoutS = options.confirmTimeout;
  return withSystemTarget(targetUri, options, renderer, async (target) => {
    const planned = await probeTarget(target, []).andThen((facts) => planRollback(target.root, target.uri, facts));
    if (planned.isErr()) return fail(planned.error);
    const { from, to, steps, detachedSwitch } = planned.value;
    const plan: Plan = { action: "rollback", target: targetUri, toplevel: to.toplevel, generation: to.number, copy: { paths: 0, bytes: 0, present: 0, total: 0 }, steps, cleanup: [] };
    const ran = await runPlan(plan, { target, onEvent: (e) => renderer.event(e), signal });
    if (ran.isErr()) return fail(ran.error);
    if (detachedSwitch) {
      const switched = await switchDetached(target, {
        action: "switch",
        toplevel: to.toplevel,
        previous: { toplevel: from.toplevel, link: `system-${from.number}-link` },
        magicRollback: options.magicRollback,
        confirmTimeoutS,
        id: `rollback-${Date.now()}-${process.pid}`,
        onOutput: (line) => renderer.event({ type: "output", index: steps.length, stream: "stdout", line }),
        onNote: (m) => renderer.info(m),
        signal,
      });
      if (switched.isErr()) return fail(switched.error);
      if (switched.value.kind === "rolled-back") {
        return fail(new DeployRolledBackError(`the rollback to generation ${to.number} did not stick; ${targetUri} is back on generation ${from.number}`));
      }
      const failed = switchOutcomeFailure(switched.value, { uri: targetUri, action: "switch", generation: to.number });
      if (failed) {
        renderer.error(failed.error);
        return failed.exitCode;
      }
    }
    renderer.result(`rolled ${targetUri} back from generation ${from.number} to ${to.number} (${to.toplevel})`, {
      ok: true, target: targetUri, from: from.number, to: to.number, toplevel: to.toplevel,
    });
    return ExitCode.Ok;
  });
}
