import { UsageError } from "@nixos-via/core";
import { setFleetArgs, type NetworkArgument } from "nixos-via";
import { ExitCode } from "../../exitCodes.js";
import { exitCodeFor } from "../../failure.js";
import type { Io } from "../../Io.js";
import { createFleetRenderer } from "../../render/renderFleet.js";
import type { FleetCommonOptions } from "./fleetOptions.js";

/** Options of `nixos-via fleet set-args`. */
export interface FleetSetArgsOptions extends FleetCommonOptions {
  /** @default {} */
  readonly arg: Readonly<Record<string, NetworkArgument>>;
  /** @default {} */
  readonly argstr: Readonly<Record<string, NetworkArgument>>;
  /** @default [] */
  readonly unset: readonly string[];
}

/** `nixos-via fleet set-args`: the SDK's {@link setFleetArgs}. */
export async function fleetSetArgs(options: FleetSetArgsOptions, io: Io): Promise<number> {
  const renderer = createFleetRenderer(io, { json: options.json ?? false });
  const set = { ...options.arg, ...options.argstr };
  if (Object.keys(set).length === 0 && options.unset.length === 0) {
    renderer.error(new UsageError("give --arg NAME EXPR, --argstr NAME STRING or --unset NAME"));
    return ExitCode.Usage;
  }
  const stored = await setFleetArgs({ network: options.network, set, unset: options.unset });
  if (stored.isErr()) {
    renderer.error(stored.error);
    return exitCodeFor(stored.error);
  }
  if (options.json) io.stdout.write(`${JSON.stringify({ type: "result", host: null, ok: true, args: stored.value })}\n`);
  else io.stdout.write(formatArgs(stored.value));
  return ExitCode.Ok;
}

/** The stored arguments, one per line as they would be typed. */
export function formatArgs(args: Readonly<Record<string, NetworkArgument>>): string {
  const names = Object.keys(args).sort();
  if (names.length === 0) return "no arguments stored: the network's defaults apply\n";
  return names.map((n) => { const a = args[n]!; return "argstr" in a ? `--argstr ${n} ${JSON.stringify(a.argstr)}` : `--arg ${n} ${a.arg}`; }).join("\n") + "\n";
}
