import { formatBytes, formatPlan, planInstall, probeTarget, runPlan, type NixosViaError } from "@nixos-via/core";
import { createLocalStore } from "@nixos-via/transport-local";
import { ExitCode } from "../exitCodes.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { resolveSystem } from "../resolveSystem.js";
import { resolveTarget } from "../resolveTarget.js";

/** Options of `nixos-via install`, as parsed from the command line. */
export interface InstallOptions {
  readonly system?: string;
  readonly flake?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/**
 * `nixos-via install TARGET`: read (or build) the system, probe the target, plan, then
 * print the plan (`--dry-run`) or run it.
 */
export async function install(targetUri: string, options: InstallOptions, io: Io, signal: AbortSignal): Promise<ExitCode> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const fail = (error: NixosViaError): ExitCode => {
    renderer.error(error);
    return error.code === "USAGE" ? ExitCode.Usage : ExitCode.Failed;
  };
  const store = createLocalStore();
  if (options.flake !== undefined) renderer.info(`building ${options.flake}`);
  const system = await resolveSystem(store, options);
  if (system.isErr()) return fail(system.error);
  const target = await resolveTarget(targetUri);
  if (target.isErr()) return fail(target.error);
  try {
    const plan = await probeTarget(
      target.value,
      system.value.closure.paths.map((p) => p.path),
    ).andThen((facts) => planInstall({ system: system.value, target: target.value, facts }));
    if (plan.isErr()) return fail(plan.error);

    if (options.dryRun) {
      if (options.json) io.stdout.write(`${JSON.stringify({ type: "plan", dryRun: true, plan: plan.value })}\n`);
      else io.stdout.write(formatPlan(plan.value));
      return ExitCode.Ok;
    }

    const summary = await runPlan(plan.value, {
      target: target.value,
      source: store,
      onEvent: (e) => renderer.event(e),
      signal,
    });
    if (summary.isErr()) return fail(summary.error);
    const { copiedPaths, copiedBytes, durationMs } = summary.value;
    renderer.result(
      `installed ${plan.value.toplevel} on ${targetUri} as generation ${plan.value.generation}: ` +
        `copied ${copiedPaths} paths (${formatBytes(copiedBytes)}) in ${(durationMs / 1000).toFixed(1)}s`,
      { ok: true, toplevel: plan.value.toplevel, target: targetUri, generation: plan.value.generation, copiedPaths, copiedBytes, durationMs },
    );
    return ExitCode.Ok;
  } finally {
    await target.value.close();
  }
}
