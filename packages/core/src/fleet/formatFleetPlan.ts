import { formatBytes } from "../pipeline/formatPlan.js";
import type { FleetPlan, PlannedHost } from "./FleetPlan.js";

/**
 * The plan as `fleet plan` prints it: one line per host (state, what it runs and will
 * run, what its own dry run would send), the hosts that left, then the waves.
 *
 * @example
 * ```ts
 * process.stdout.write(formatFleetPlan(plan));
 * ```
 */
export function formatFleetPlan(plan: FleetPlan): string {
  const lines: string[] = [];
  const width = Math.max(4, ...plan.hosts.map((h) => h.name.length));
  const acting = plan.waves.reduce((n, w) => n + w.hosts.length, 0);
  lines.push(`${plan.resumed ? "resume a halted rollout of" : "rollout of"} ${plan.hosts.length} ${plan.hosts.length === 1 ? "host" : "hosts"}: ${countStates(plan)}`);
  for (const h of plan.hosts) lines.push(`  ${h.name.padEnd(width)}  ${h.state.padEnd(11)} ${describeHost(h)}`);
  for (const name of plan.left) lines.push(`  ${name.padEnd(width)}  ${"left".padEnd(11)} not in the network any more: not touched`);
  if (plan.notSelected.length > 0) lines.push(`  not selected by --on: ${plan.notSelected.join(", ")}`);
  const { canary, maxUnavailable, parallel, haltAfter } = plan.bounds;
  lines.push("");
  if (acting === 0) {
    lines.push("nothing to do: every selected host runs its system already, or cannot be acted on");
  } else {
    const atOnce = Math.min(parallel, maxUnavailable);
    lines.push(`${plan.waves.length} ${plan.waves.length === 1 ? "wave" : "waves"} (canary ${canary}, then waves of at most ${maxUnavailable}, ${atOnce} at once; halt after ${haltAfter} ${haltAfter === 1 ? "failure" : "failures"}):`);
    for (const w of plan.waves) lines.push(`  ${String(w.index + 1).padStart(2)}. ${w.kind === "canary" ? "canary" : "wave  "} ${w.hosts.join(", ")}`);
  }
  return `${lines.join("\n")}\n`;
}

function countStates(plan: FleetPlan): string {
  const counts = new Map<string, number>();
  for (const h of plan.hosts) counts.set(h.state, (counts.get(h.state) ?? 0) + 1);
  const left = plan.left.length > 0 ? `; ${plan.left.length} left the network` : "";
  return [...counts].map(([state, n]) => `${n} ${state}`).join(", ") + left;
}

function describeHost(h: PlannedHost): string {
  const shortName = (p: string) => p.replace(/^\/nix\/store\/[a-z0-9]{32}-/, "");
  const parts: string[] = [h.target];
  if (h.state === "deploy") parts.push(`${shortName(h.current ?? "?")} → ${shortName(h.toplevel)}`);
  else if (h.state === "install") parts.push(`→ ${shortName(h.toplevel)}`);
  else if (h.state === "unchanged") parts.push(`runs ${shortName(h.toplevel)}`);
  if (h.copy !== undefined) parts.push(`${h.copy.paths} paths to send (${formatBytes(h.copy.bytes)})`);
  if (h.switchAction !== undefined) parts.push(h.switchAction);
  if (h.unfinished) parts.push("the last rollout did not finish this system: done again");
  if (h.failedEarlier) parts.push("failed in the halted rollout: not retried by --resume");
  if (h.problem !== undefined) parts.push(`not started: ${h.problem}`);
  return parts.join("  ");
}
