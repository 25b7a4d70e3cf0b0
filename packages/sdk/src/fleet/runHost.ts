import { ResultAsync } from "neverthrow";
import { UsageError, type FleetHost, type HostOutcome, type NixosViaError, type PipelineEvent } from "@nixos-via/core";
import { deploy } from "../operations/deploy.js";
import { install } from "../operations/install.js";
import { rollback } from "../operations/rollback.js";
import type { OperationOptions } from "../operations/common.js";
import { installParameters } from "./installParameters.js";
import { openHost } from "./openHost.js";
import { probeHost } from "./probeHost.js";

/** What {@link runHost} needs besides the host. */
export interface RunHostOptions extends Omit<OperationOptions, "onEvent"> {
  readonly onEvent: (event: PipelineEvent) => void;
}

/**
 * Installs or deploys one host with the SDK's own operations and says how it ended. A
 * running system rolls itself back (magic rollback, health checks); a stored root whose
 * deploy failed after it made a generation is rolled back here with {@link rollback}, so
 * every failed deploy leaves the host on the generation it had.
 */
export async function runHost(host: FleetHost, action: "install" | "deploy", options: RunHostOptions): Promise<HostOutcome> {
  const common = { connection: options.connection, registry: options.registry, signal: options.signal, onEvent: options.onEvent };
  if (action === "install") {
    const given = installParameters(host);
    if (given.isErr()) return failed(options.signal, action, given.error, false);
    const installed = await install({ ...common, ...given.value });
    return installed.match(
      (r): HostOutcome => ({ kind: "confirmed", action, generation: r.generation }),
      (e) => failed(options.signal, action, e, false),
    );
  }
  const before = await probeHost(host, options);
  const opened = await openHost(host, options);
  if (opened.isErr()) return failed(options.signal, action, opened.error, false);
  const { target } = opened.value;
  const deployed = await deploy({ ...common, target, system: host.system.path, healthChecks: host.healthChecks });
  await target.close();
  if (deployed.isOk() && deployed.value.succeeded) return { kind: "confirmed", action, generation: deployed.value.generation };
  if (deployed.isOk()) {
    const r = deployed.value;
    return failed(options.signal, action, r.problem ?? new UsageError(`${host.name}: the switch ended ${r.outcome}`), r.outcome === "rolled-back");
  }
  if (!before.reachable) return failed(options.signal, action, deployed.error, false);
  // A running system's switch rolls itself back; stopped (Ctrl-C) before its switch, it
  // never moved. Either way it is looked at again, so the outcome says what it runs.
  if (target.capabilities.running) return failed(options.signal, action, deployed.error, stopped(options.signal, deployed.error) && (await runsGeneration(host, before.generation, options)));
  // A stored root, failed or stopped half way (Ctrl-C kills its activation too), goes back.
  return failed(options.signal, action, deployed.error, await rollBackStoredRoot(host, before.generation, options));
}

/** Whether the host can be reached and its current generation is `generation`. */
async function runsGeneration(host: FleetHost, generation: number | undefined, options: RunHostOptions): Promise<boolean> {
  const now = await probeHost(host, options);
  return now.reachable && generation !== undefined && now.generation === generation;
}

/** A stored root whose profile moved past `generation` is switched back to it; true when it runs `generation` again. */
async function rollBackStoredRoot(host: FleetHost, generation: number | undefined, options: RunHostOptions): Promise<boolean> {
  if (generation === undefined) return false;
  const now = await probeHost(host, options);
  if (!now.reachable || now.generation === generation) return now.reachable;
  const back = await openHost(host, options).andThen(({ target }) =>
    new ResultAsync<boolean, NixosViaError>(
      (async () => {
        // Not aborted by the rollout's signal: leaving the root half way back would be worse.
        const r = await rollback({ target, registry: options.registry, connection: options.connection, onEvent: options.onEvent });
        await target.close();
        return r.map(() => true);
      })(),
    ),
  );
  if (back.isErr()) return false;
  return runsGeneration(host, generation, options);
}

/**
 * Whether a host's operation ended because the rollout was stopped. A terminal's Ctrl-C
 * reaches the commands a host runs as well, so one of them can fail from it (exit 130, a
 * dropped connection) just before the operation sees the aborted signal.
 */
function stopped(signal: AbortSignal | undefined, error: NixosViaError): boolean {
  return error.code === "ABORTED" || signal?.aborted === true;
}

function failed(signal: AbortSignal | undefined, action: "install" | "deploy", error: NixosViaError, rolledBack: boolean): HostOutcome {
  if (stopped(signal, error)) return { kind: "aborted", action, message: error.code === "ABORTED" ? error.message : `stopped: ${error.message}`, rolledBack };
  return { kind: "failed", action, code: error.code, message: error.message, rolledBack };
}

