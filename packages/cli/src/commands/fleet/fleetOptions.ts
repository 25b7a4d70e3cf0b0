import { InvalidArgumentError, type Command } from "commander";
import type { FleetOptions, NetworkArgument } from "nixos-via";
import { addConnectionOptions, collect, toConnection, type ConnectionOptions } from "../../connectionOptions.js";
import { splitPair } from "../../pairedOption.js";
import { parseOptionValue } from "../../parseOptionValue.js";

/** Options every `fleet` command takes. */
export interface FleetCommonOptions extends ConnectionOptions {
  /** @default "./network.nix" */
  readonly network: string;
  readonly json?: boolean | undefined;
}

/** Options of `fleet plan` and `fleet deploy`. */
export interface FleetRolloutOptions extends FleetCommonOptions {
  /** @default [] */
  readonly on: readonly string[];
  readonly parallel?: number | undefined;
  readonly canary?: number | undefined;
  readonly maxUnavailable?: string | undefined;
  readonly haltAfter?: number | undefined;
  readonly resume?: boolean | undefined;
  readonly dryRun?: boolean | undefined;
}

/** Adds `--network`, `--json` and the SSH options. */
export function addFleetOptions(command: Command): Command {
  return addConnectionOptions(command.option("--network <file>", "the network: a Nix file (a function of arguments returning an attribute set of hosts), a .json file, or a flake output FLAKE#ATTR", "./network.nix").option("--json", "print one JSON event per line on stdout, each with its host"));
}

/** Adds the options of a rollout. */
export function addRolloutOptions(command: Command): Command {
  return addFleetOptions(
    command
      .option("--on <hosts>", "only these hosts: names and tags, comma-separated (repeatable)", collect, [])
      .option("--parallel <n>", "hosts worked on at once, and builds at once (default 10)", parseOptionValue.count)
      .option("--canary <n>", "hosts of the first wave, alone; any failure there halts (default 1)", parseCanary)
      .option("--max-unavailable <n|p%>", "the widest later wave: hosts, or a share such as 25% (default 25%)")
      .option("--halt-after <n>", "halt once this many hosts failed (default 1)", parseOptionValue.count)
      .option("--resume", "continue the rollout that halted, with its hosts that never started"),
  );
}

function parseCanary(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("give a count of hosts, 0 or more");
  return Number(value);
}

/** The SDK's rollout options from the flags. */
export function toFleetOptions(options: FleetRolloutOptions, signal: AbortSignal): FleetOptions {
  return {
    on: options.on.length > 0 ? options.on : undefined,
    parallel: options.parallel,
    canary: options.canary,
    maxUnavailable: options.maxUnavailable,
    haltAfter: options.haltAfter,
    resume: options.resume,
    dryRun: options.dryRun,
    // One prompt text for every host: the fleet's hosts share the flags.
    connection: toConnection("ssh://fleet", options),
    signal,
  };
}

/** Commander's parser for `--arg NAME EXPR` and `--argstr NAME STRING` (their words joined by {@link joinPairedOption}). */
export function collectArg(kind: "arg" | "argstr"): (value: string, previous: Record<string, NetworkArgument>) => Record<string, NetworkArgument> {
  return (value, previous) => {
    const pair = splitPair(value);
    if (pair === undefined || !/^[A-Za-z_][A-Za-z0-9_'-]*$/.test(pair[0])) {
      throw new InvalidArgumentError(kind === "arg" ? "give a name and a Nix expression, e.g. --arg nrProxyInstances 200" : "give a name and a string, e.g. --argstr region eu-west");
    }
    return { ...previous, [pair[0]]: kind === "arg" ? { arg: pair[1] } : { argstr: pair[1] } };
  };
}
