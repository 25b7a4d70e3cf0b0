import {
  diffClosures,
  formatBytes,
  formatClosureDiff,
  formatPlan,
  planDeploy,
  probeTarget,
  readCurrentClosure,
  runPlan,
  switchDetached,
  UsageError,
  type SwitchAction,
  type SwitchOutcome,
} from "@nixos-via/core";
import { createLocalStore } from "@nixos-via/transport-local";
import type { ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import type { Io } from "../Io.js";
import { failure, withSystemTarget } from "../failure.js";
import { createRenderer } from "../render/createRenderer.js";
import { resolveSystem } from "../resolveSystem.js";
import { switchOutcomeFailure } from "../switchOutcomeFailure.js";

/** Options of `nixos-via deploy`. */
export interface DeployOptions extends ConnectionOptions {
  readonly system?: string | undefined;
  readonly flake?: string | undefined;
  /** @default "switch" */
  readonly action: string;
  /** @default true */
  readonly magicRollback: boolean;
  /** Seconds. @default 30 */
  readonly confirmTimeout: number;
  /** @default [] */
  readonly healthCheck: readonly string[];
  /** Seconds each health check may run before it is stopped and the target rolls back. @default 60 */
  readonly healthTimeout: number;
  readonly dryRun?: boolean | undefined;
  readonly json?: boolean | undefined;
}

const ACTIONS: readonly SwitchAction[] = ["switch", "boot", "test", "dry-activate"];

/**
 * `nixos-via deploy TARGET`: show what changes, copy what is missing, make a generation,
 * switch — detached from the connection, confirmed over a new one, rolled back otherwise.
 */
export async function deploy(targetUri: string, options: DeployOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const fail = failure(renderer);
  const action = options.action as SwitchAction;
  if (!ACTIONS.includes(action)) return fail(new UsageError(`--action ${options.action}: use one of ${ACTIONS.join(", ")}`));
  const confirmTimeoutS = options.confirmTimeout;
  const healthTimeoutS = options.healthTimeout;

  const store = createLocalStore();
  if (options.flake !== undefined) renderer.info(`building ${options.flake}`);
  // The connection is opened while the closure is read: it costs round trips.
  const systemRead = resolveSystem(store, options);
  return withSystemTarget(targetUri, options, renderer, async (target) => {
    const system = await systemRead;
    if (system.isErr()) return fail(system.error);
    if (target.root !== "/" && options.healthCheck.length > 0) {
      return fail(new UsageError("--health-check needs a running system (ssh://); a dir: root runs nothing to check"));
    }
    const current = await readCurrentClosure(target);
    if (current.isErr()) return fail(current.error);
    const diff = diffClosures(current.value?.paths ?? [], system.value.closure.paths);
    if (options.json) io.stdout.write(`${JSON.stringify({ type: "diff", diff: { ...diff, added: diff.added.length, removed: diff.removed.length } })}\n`);
    else io.stderr.write(formatClosureDiff(diff));

    const plan = await probeTarget(target, system.value.closure.paths.map((p) => p.path)).andThen((facts) =>
      planDeploy({ system: system.value, target, facts, action }),
    );
    if (plan.isErr()) return fail(plan.error);
    const magic = options.magicRollback && plan.value.detachedSwitch && (action === "switch" || action === "test");
    const switchLine = plan.value.detachedSwitch
      ? `then: switch-to-configuration ${action} on ${targetUri}, detached from the connection` +
        (magic ? `; confirmed over a new connection within ${confirmTimeoutS}s or rolled back` : "") +
        (options.healthCheck.length > 0 ? `; health checks (${healthTimeoutS}s each): ${options.healthCheck.join("; ")}` : "")
      : "";

    if (options.dryRun) {
      if (options.json) io.stdout.write(`${JSON.stringify({ type: "plan", dryRun: true, plan: plan.value })}\n`);
      else io.stdout.write(`${formatPlan(plan.value)}${switchLine ? `\n${switchLine}\n` : ""}`);
      return ExitCode.Ok;
    }
    const summary = await runPlan(plan.value, { target, source: store, onEvent: (e) => renderer.event(e), signal });
    if (summary.isErr()) return fail(summary.error);

    let outcome: SwitchOutcome = { kind: "done" };
    if (plan.value.detachedSwitch) {
      renderer.info(switchLine);
      const switched = await switchDetached(target, {
        action,
        toplevel: plan.value.toplevel,
        previous: plan.value.previous,
        magicRollback: magic,
        confirmTimeoutS,
        healthChecks: options.healthCheck,
        healthTimeoutS,
        id: `${Date.now()}-${process.pid}`,
        onOutput: (line) => renderer.event({ type: "output", index: plan.value.steps.length, stream: "stdout", line }),
        onNote: (message) => renderer.info(message),
        signal,
      });
      if (switched.isErr()) return fail(switched.error);
      outcome = switched.value;
    }
    const failed = switchOutcomeFailure(outcome, { uri: targetUri, action, generation: plan.value.generation });
    if (failed) {
      renderer.error(failed.error);
      return failed.exitCode;
    }
    const { copiedPaths, copiedBytes, durationMs } = summary.value;
    renderer.result(
      `deployed ${plan.value.toplevel} to ${targetUri} (${action}${plan.value.detachedSwitch ? "" : " inside the root"}, generation ${plan.value.generation}` +
        `${outcome.kind === "confirmed" ? ", confirmed" : ""}): copied ${copiedPaths} paths (${formatBytes(copiedBytes)}) in ${(durationMs / 1000).toFixed(1)}s`,
      { ok: true, toplevel: plan.value.toplevel, target: targetUri, action, generation: plan.value.generation, outcome: outcome.kind, copiedPaths, copiedBytes },
    );
    return ExitCode.Ok;
  });
}

