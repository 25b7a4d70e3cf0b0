import { fleetInfo as readFleetInfo } from "nixos-via";
import { toConnection } from "../../connectionOptions.js";
import { ExitCode } from "../../exitCodes.js";
import { exitCodeFor } from "../../failure.js";
import type { Io } from "../../Io.js";
import { createFleetRenderer } from "../../render/renderFleet.js";
import { formatArgs } from "./fleetSetArgs.js";
import type { FleetCommonOptions } from "./fleetOptions.js";

/** `nixos-via fleet info`: the stored arguments, the hosts they produce and what each runs now. */
export async function fleetInfo(options: FleetCommonOptions, io: Io): Promise<number> {
  const renderer = createFleetRenderer(io, { json: options.json ?? false });
  const info = await readFleetInfo(options.network, { connection: toConnection("ssh://fleet", options) });
  if (info.isErr()) {
    renderer.error(info.error);
    return exitCodeFor(info.error);
  }
  const i = info.value;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ type: "fleet-info", host: null, file: i.file, stateFile: i.stateFile, args: i.args, hosts: i.hosts.map(({ host, facts }) => ({ host: host.name, target: host.target, system: host.system.path, tags: host.tags, ...facts })), left: i.left, rollout: i.rollout })}\n`);
    return ExitCode.Ok;
  }
  const width = Math.max(4, ...i.hosts.map((h) => h.host.name.length));
  const rows = i.hosts.map(({ host, facts }) => {
    const now = !facts.reachable ? `unreachable: ${facts.reason}` : facts.current === undefined ? "holds no system" : `runs generation ${facts.generation} ${facts.current}${facts.current === host.system.path ? "" : " (not its system)"}`;
    return `  ${host.name.padEnd(width)}  ${host.target}  ${now}`;
  });
  const rollout = i.rollout === undefined ? "" : `last rollout ${i.rollout.startedAt}${i.rollout.halted === undefined ? "" : `, halted: ${i.rollout.halted} (fleet deploy --resume continues it)`}\n`;
  io.stdout.write(`network ${i.file ?? ""} (state ${i.stateFile ?? "none"})\n${formatArgs(i.args)}${i.hosts.length} hosts:\n${rows.join("\n")}\n${i.left.map((n) => `  ${n}  left the network: not touched\n`).join("")}${rollout}`);
  return ExitCode.Ok;
}
