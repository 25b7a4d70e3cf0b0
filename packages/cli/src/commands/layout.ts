import { formatSteps, layoutToNixosModule, planLayout, resolveDiskDevices, UsageError, type NixosViaError } from "@nixos-via/core";
import { ExitCode } from "../exitCodes.js";
import { exitCodeFor } from "../failure.js";
import type { Io } from "../Io.js";
import { readLayout } from "nixos-via";
import { parseDiskOptions } from "../parseDiskOptions.js";
import { formatError } from "../render/renderPlain.js";

/** Options of `nixos-via layout`. */
export interface LayoutOptions {
  readonly check?: boolean;
  readonly nixosModule?: boolean;
  readonly plan?: boolean;
  readonly disk: readonly string[];
  readonly json?: boolean;
  readonly allowLayoutHooks?: boolean;
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
  const misuse = checkCombination(options);
  if (misuse !== undefined) return fail(misuse);
  const allowHooks = options.allowLayoutHooks === true;
  const layout = await readLayout(file, { allowHooks });
  if (layout.isErr()) return fail(layout.error);
  if (options.nixosModule) {
    const module = layoutToNixosModule(layout.value);
    io.stdout.write(options.json ? `${JSON.stringify({ type: "nixos-module", module })}\n` : module);
    return ExitCode.Ok;
  }
  if (options.plan) {
    const named = parseDiskOptions(options.disk);
    if (named instanceof UsageError) return fail(named);
    // The plan is for the machine the layout was written for: its own devices are the default.
    const plan = resolveDiskDevices(layout.value, { named, layoutDevices: true }).andThen((devices) => planLayout(layout.value, { devices, mountRoot: "/mnt", allowHooks }));
    if (plan.isErr()) return fail(plan.error);
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ type: "layout-plan", plan: plan.value })}\n`);
      return ExitCode.Ok;
    }
    io.stdout.write(formatSteps([...plan.value.steps, ...plan.value.unmountSteps]));
    return ExitCode.Ok;
  }
  if (options.json) io.stdout.write(`${JSON.stringify({ type: "layout", ok: true, layout: layout.value })}\n`);
  else {
    const disks = Object.keys(layout.value.disk ?? {}).length;
    io.stdout.write(`${file}: the layout is valid (${disks} ${disks === 1 ? "disk" : "disks"})\n`);
  }
  return ExitCode.Ok;
}

/** `--check`, `--nixos-module` and `--plan` are one choice each; `--disk` only means something to `--plan`. */
function checkCombination(options: LayoutOptions): UsageError | undefined {
  const chosen = (["check", "nixosModule", "plan"] as const).filter((o) => options[o] === true);
  const flag = { check: "--check", nixosModule: "--nixos-module", plan: "--plan" } as const;
  if (chosen.length > 1) return new UsageError(`${chosen.map((o) => flag[o]).join(" and ")} do not go together: pick one`);
  if (options.disk.length > 0 && options.plan !== true) return new UsageError("--disk is for --plan: it names the devices the plan writes to; add --plan or leave --disk out");
  return undefined;
}
