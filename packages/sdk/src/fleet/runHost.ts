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
    if (given.isErr()) return failed(action, given.error, false);
    const installed = await install({ ...common, ...given.value });
    return installed.match(
      (r): HostOutcome => ({ kind: "confirmed", action, generation: r.generation }),
      (e) => failed(action, e, false),
    );
  }
  const before = await probeHost(host, options);
  const opened = await openHost(host, options);
  if (opened.isErr()) return failed(action, opened.error, false);
  const { target } = opened.value;
  const deployed = await deploy({ ...common, target, system: host.system.path, healthChecks: host.healthChecks });
  await target.close();
  if (deployed.isOk() && deployed.value.succeeded) return { kind: "confirmed", action, generation: deployed.value.generation };
  if (deployed.isOk()) {
    const r = deployed.value;
    return failed(action, r.problem ?? new UsageError(`${host.name}: the switch ended ${r.outcome}`), r.outcome === "rolled-back");
  }
  if (!before.reachable) return failed(action, deployed.error, false);
  // A running system's switch rolls itself back; stopped (Ctrl-C) before its switch, it
  // never moved. Either way it is looked at again, so the outcome says what it runs.
  if (target.capabilities.running) return failed(action, deployed.error, deployed.error.code === "ABORTED" && (await runsGeneration(host, before.generation, options)));
  // A stored root, failed or stopped half way (Ctrl-C kills its activation too), goes back.
  return failed(action, deployed.error, await rollBackStoredRoot(host, before.generation, options));
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

function failed(action: "install" | "deploy", error: NixosViaError, rolledBack: boolean): HostOutcome {
  if (error.code === "ABORTED") return { kind: "aborted", action, message: error.message, rolledBack };
  return { kind: "failed", action, code: error.code, message: error.message, rolledBack };
}

