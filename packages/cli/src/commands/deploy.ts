import { formatBytes, UsageError, type SwitchAction } from "@nixos-via/core";
import { deploy as deploySystem } from "nixos-via";
import { toConnection, type ConnectionOptions } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { createRenderer } from "../render/createRenderer.js";
import { printPlan } from "../render/printPlan.js";
import { switchOutcomeExitCode } from "../switchOutcomeExitCode.js";

/** Options of `nixos-via deploy`. */
export interface DeployOptions extends ConnectionOptions {
  /** For ssh://: a root on that host instead of its own / (e.g. a container's). */
  readonly root?: string | undefined;
  readonly system?: string | undefined;
  readonly flake?: string | undefined;
  /** @default "switch" */
  readonly action: SwitchAction;
  /** @default true */
  readonly magicRollback: boolean;
  /** Seconds. @default 30 */
  readonly confirmTimeout: number;
  /** @default [] */
  readonly healthCheck: readonly string[];
  /** Seconds each health check may run before it is stopped and the target rolls back. @default 60 */
  readonly healthTimeout: number;
  readonly dryRun?: boolean | undefined;
  /** `--delta` / `--no-delta`: deltas to local targets too, or never. @default to ssh:// only */
  readonly delta?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/** `nixos-via deploy TARGET`: the SDK's {@link deploySystem}; each switch outcome has its own exit code. */
export async function deploy(targetUri: string, options: DeployOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const fail = failure(renderer);
  if ((options.system === undefined) === (options.flake === undefined)) return fail(new UsageError("name the system with exactly one of --system PATH or --flake REF#NAME"));
  const deployed = await deploySystem({
    target: targetUri,
    system: options.flake === undefined ? options.system! : { flake: options.flake },
    action: options.action,
    magicRollback: options.magicRollback,
    confirmTimeout: options.confirmTimeout,
    healthChecks: options.healthCheck,
    healthTimeout: options.healthTimeout,
    dryRun: options.dryRun,
    delta: options.delta,
    root: options.root,
    connection: toConnection(targetUri, options),
    onEvent: (e) => renderer.event(e),
    signal,
  });
  if (deployed.isErr()) return fail(deployed.error);
  const r = deployed.value;
  if (r.dryRun) {
    printPlan(io, r.plan, options);
    return ExitCode.Ok;
  }
  if (r.problem !== undefined && r.switchOutcome !== undefined) {
    renderer.error(r.problem);
    return switchOutcomeExitCode(r.switchOutcome);
  }
  renderer.result(
    `deployed ${r.toplevel} to ${targetUri} (${describeSwitch(r)}): ` +
      `copied ${r.copiedPaths} paths (${formatBytes(r.copiedBytes)}) in ${(r.durationMs / 1000).toFixed(1)}s`,
    { ok: true, toplevel: r.toplevel, target: targetUri, action: r.action, generation: r.generation, outcome: r.outcome === "activated" ? "done" : r.outcome, copiedPaths: r.copiedPaths, copiedBytes: r.copiedBytes },
  );
  return ExitCode.Ok;
}

/**
 * What the switch did to which system. `test` and `dry-activate` make no generation: the
 * generation they report is the one that stays current, not the system that was tried.
 */
function describeSwitch(r: { readonly action: SwitchAction; readonly outcome: string; readonly generation: number }): string {
  const where = r.outcome === "activated" ? " inside the root" : "";
  const confirmed = r.outcome === "confirmed" ? ", confirmed" : "";
  if (r.action === "test") return `test${where}: activated, not made current${confirmed}; generation ${r.generation} stays current`;
  if (r.action === "dry-activate") return `dry-activate${where}: nothing changed; generation ${r.generation} stays current`;
  return `${r.action}${where}, generation ${r.generation}${confirmed}`;
}
