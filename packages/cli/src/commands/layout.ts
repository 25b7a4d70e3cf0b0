import { formatSteps, layoutToNixosModule, planLayout, resolveDiskDevices, UsageError, type NixosViaError } from "@nixos-via/core";
import { ExitCode } from "../exitCodes.js";
import { exitCodeFor } from "../failure.js";
import type { Io } from "../Io.js";
import { parseDiskOptions, readLayout } from "../readLayout.js";
import { formatError } from "../render/renderPlain.js";

/** Options of `nixos-via layout`. */
export interface LayoutOptions {
  readonly check?: boolean;
  readonly nixosModule?: boolean;
  readonly plan?: boolean;
  readonly disk: readonly string[];
  readonly json?: boolean;
}

/**
 * `nixos-via layout FILE`: validate a layout (every problem with its JSON path), print the
 * NixOS module that matches it, or the steps that would create it.
 */
export async function layoutCommand(file: string, options: LayoutOptions, io: Io): Promise<ExitCode> {
  const fail = (error: NixosViaError): ExitCode => {
    if (options.json) io.stdout.write(`${JSON.stringify({ type: "error", error, problems: (error as { problems?: unknown }).problems })}\n`);
    io.stderr.write(formatError(error));
    return exitCodeFor(error);
  };
  const layout = await readLayout(file);
  if (layout.isErr()) return fail(layout.error);
  if (options.nixosModule) {
    io.stdout.write(layoutToNixosModule(layout.value));
    return ExitCode.Ok;
  }
  if (options.plan) {
    const named = parseDiskOptions(options.disk);
    if (named instanceof UsageError) return fail(named);
    // The plan is for the machine the layout was written for: its own devices are the default.
    const plan = resolveDiskDevices(layout.value, { named, layoutDevices: true }).andThen((devices) => planLayout(layout.value, { devices, mountRoot: "/mnt" }));
    if (plan.isErr()) return fail(plan.error);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ type: "layout-plan", plan: plan.value })}\n`);
      return ExitCode.Ok;
    }
    io.stdout.write(formatSteps([...plan.value.steps, ...plan.value.unmountSteps]));
    return ExitCode.Ok;
  }
  if (options.json) io.stdout.write(`${JSON.stringify({ type: "layout", ok: true, layout: layout.value })}\n`);
  else io.stdout.write(`${file}: the layout is valid (${Object.keys(layout.value.disk ?? {}).length} disks)\n`);
  return ExitCode.Ok;
}
