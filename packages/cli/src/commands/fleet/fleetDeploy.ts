import { formatFleetPlan } from "@nixos-via/core";
import { deployFleet, planFleet } from "nixos-via";
import { ExitCode } from "../../exitCodes.js";
import { exitCodeFor } from "../../failure.js";
import type { Io } from "../../Io.js";
import { createFleetRenderer } from "../../render/renderFleet.js";
import { toFleetOptions, type FleetRolloutOptions } from "./fleetOptions.js";

/** `nixos-via fleet plan`: the SDK's {@link planFleet} with each host's own dry run, printed. */
export async function fleetPlan(options: FleetRolloutOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createFleetRenderer(io, { json: options.json ?? false });
  const planned = await planFleet(options.network, { ...toFleetOptions(options, signal), previews: true, onEvent: (e) => renderer.event(e) });
  renderer.close();
  if (planned.isErr()) {
    renderer.error(planned.error);
    return exitCodeFor(planned.error);
  }
  if (options.json) io.stdout.write(`${JSON.stringify({ type: "fleet-plan", host: null, plan: planned.value.plan, dryRun: true })}\n`);
  else io.stdout.write(formatFleetPlan(planned.value.plan));
  return ExitCode.Ok;
}

/** `nixos-via fleet deploy`: the SDK's {@link deployFleet}; exit 0 exactly when every selected host ended confirmed (or unchanged). */
export async function fleetDeploy(options: FleetRolloutOptions, io: Io, signal: AbortSignal): Promise<number> {
  const renderer = createFleetRenderer(io, { json: options.json ?? false });
  // The first Ctrl-C (cli.ts) aborts `signal`: say at once what happens now, and what a second one does.
  const stopping = () =>
    io.stderr.write("nixos-via: stopping: no further host starts; the running ones finish or roll back on their targets (Ctrl-C again leaves at once)\n");
  signal.addEventListener("abort", stopping, { once: true });
  const run = await deployFleet(options.network, { ...toFleetOptions(options, signal), onEvent: (e) => renderer.event(e) });
  signal.removeEventListener("abort", stopping);
  if (run.isErr()) {
    renderer.close();
    renderer.error(run.error);
    return exitCodeFor(run.error);
  }
  if (run.value.dryRun) {
    renderer.close();
    if (!options.json) io.stdout.write(formatFleetPlan(run.value.plan));
    return ExitCode.Ok;
  }
  renderer.summary(run.value.summary, run.value.durationMs);
  return run.value.summary.ok ? ExitCode.Ok : ExitCode.Failed;
}
