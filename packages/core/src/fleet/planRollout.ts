import { err, ok, type Result } from "neverthrow";
import { UsageError } from "../errors/index.js";
import { compareHostNames } from "./compareHostNames.js";
import { decideHostState, type HostDecision } from "./decideHostState.js";
import type { FleetHost } from "./FleetHost.js";
import type { FleetPlan, PlannedHost, RolloutBounds, Wave } from "./FleetPlan.js";
import type { HostFacts } from "./HostFacts.js";
import { resolveMaxUnavailable } from "./resolveMaxUnavailable.js";
import type { SavedRollout } from "./SavedRollout.js";

/** Inputs of {@link planRollout}. */
export interface PlanRolloutParameters {
  /** Every host of the network, in name order. */
  readonly hosts: readonly FleetHost[];
  /** The names `--on` selected. @default every host */
  readonly selected?: readonly string[] | undefined;
  /** What a look at each selected host found, by name. */
  readonly facts: Readonly<Record<string, HostFacts>>;
  /** The host names of the last known network, to list the ones that left. @default [] */
  readonly knownHosts?: readonly string[] | undefined;
  /** Hosts in the first wave, alone; any failure there halts. @default 1 */
  readonly canary?: number | undefined;
  /** The widest later wave: a count or a share of the hosts acted on. @default "25%" */
  readonly maxUnavailable?: number | string | undefined;
  /** Hosts worked on at once. @default 10 */
  readonly parallel?: number | undefined;
  /** Halt once this many hosts failed. @default 1 */
  readonly haltAfter?: number | undefined;
  /** The halted rollout to continue: only its hosts that never started run, in their order. */
  readonly resume?: SavedRollout | undefined;
  /** The last rollout the state file kept, halted or not: its unfinished hosts are done again. @default resume */
  readonly last?: SavedRollout | undefined;
}

/**
 * Plans a rollout: each selected host's state ({@link decideHostState}), then the waves —
 * the canary first, then waves no wider than `maxUnavailable` — over the hosts to install
 * or deploy. Pure: the same network and facts give the same plan.
 *
 * @example
 * ```ts
 * const plan = planRollout({ hosts, facts, canary: 1, maxUnavailable: "25%" });
 * ```
 */
export function planRollout(parameters: PlanRolloutParameters): Result<FleetPlan, UsageError> {
  const bounds = readBounds(parameters);
  if (bounds.isErr()) return err(bounds.error);
  const selectedNames = parameters.selected ?? parameters.hosts.map((h) => h.name);
  const selected = parameters.hosts.filter((h) => selectedNames.includes(h.name));
  const resume = parameters.resume;
  const planned: PlannedHost[] = [];
  for (const host of selected) {
    const facts = parameters.facts[host.name] ?? { reachable: false, reason: "not looked at", code: "PROBE" };
    const decided = decideHostState(host, facts);
    const unfinished = unfinishedAction(decided, (parameters.last ?? resume)?.hosts[host.name], host.system.path);
    const decision: HostDecision = unfinished === undefined ? decided : { state: unfinished };
    const saved = resume?.hosts[host.name];
    planned.push({
      name: host.name,
      target: host.target,
      state: decision.state,
      toplevel: host.system.path,
      ...(facts.reachable && facts.current !== undefined ? { current: facts.current } : {}),
      ...(facts.reachable && facts.generation !== undefined ? { generation: facts.generation } : {}),
      ...(decision.problem === undefined ? {} : { problem: decision.problem }),
      ...(unfinished === undefined ? {} : { unfinished: true }),
      ...(saved?.outcome === "failed" && acts(decision) ? { failedEarlier: true } : {}),
    });
  }
  if (resume !== undefined) {
    const changed = planned.filter((h) => acts(h) && !h.failedEarlier && resume.hosts[h.name]?.toplevel !== h.toplevel);
    if (changed.length > 0) {
      return err(new UsageError(
        `the network changed since the rollout halted (${changed.map((h) => h.name).join(", ")}: ${changed.some((h) => resume.hosts[h.name] === undefined) ? "new or " : ""}another system); run fleet deploy without --resume`,
      ));
    }
  }
  const actionable = planned.filter((h) => acts(h) && !h.failedEarlier).map((h) => h.name);
  const width = resolveMaxUnavailable(parameters.maxUnavailable ?? "25%", actionable.length);
  if (width.isErr()) return err(width.error);
  const resolved: RolloutBounds = { ...bounds.value, maxUnavailable: width.value, canary: resume === undefined ? bounds.value.canary : 0 };
  const names = new Set(parameters.hosts.map((h) => h.name));
  return ok({
    hosts: planned,
    left: [...new Set(parameters.knownHosts ?? [])].filter((n) => !names.has(n)).sort(compareHostNames),
    notSelected: parameters.hosts.filter((h) => !selectedNames.includes(h.name)).map((h) => h.name),
    waves: cutWaves(actionable, resolved),
    bounds: resolved,
    resumed: resume !== undefined,
  });
}

/**
 * The action to do again when a host looks unchanged only because the last rollout moved
 * its profile to this very system and then failed or was stopped (nothing rolls a first
 * install back); undefined when the host really is on it.
 */
function unfinishedAction(decision: HostDecision, last: SavedRollout["hosts"][string] | undefined, toplevel: string): "install" | "deploy" | undefined {
  if (decision.state !== "unchanged" || last === undefined || last.toplevel !== toplevel) return undefined;
  return last.outcome === "failed" || last.outcome === "aborted" ? (last.action ?? "deploy") : undefined;
}

function acts(h: { readonly state: string; readonly problem?: string | undefined }): boolean {
  return (h.state === "install" || h.state === "deploy") && h.problem === undefined;
}

function cutWaves(hosts: readonly string[], bounds: RolloutBounds): Wave[] {
  const waves: Wave[] = [];
  const canary = hosts.slice(0, bounds.canary);
  if (canary.length > 0) waves.push({ index: 0, kind: "canary", hosts: canary });
  for (let i = canary.length; i < hosts.length; i += bounds.maxUnavailable) {
    waves.push({ index: waves.length, kind: "wave", hosts: hosts.slice(i, i + bounds.maxUnavailable) });
  }
  return waves;
}

function readBounds(p: PlanRolloutParameters): Result<Omit<RolloutBounds, "maxUnavailable">, UsageError> {
  const canary = p.canary ?? 1;
  const parallel = p.parallel ?? 10;
  const haltAfter = p.haltAfter ?? 1;
  if (!Number.isSafeInteger(canary) || canary < 0) return err(new UsageError(`--canary ${canary}: give a count of hosts, 0 or more`));
  if (!Number.isSafeInteger(parallel) || parallel < 1) return err(new UsageError(`--parallel ${parallel}: give a count of hosts, at least 1`));
  if (!Number.isSafeInteger(haltAfter) || haltAfter < 1) return err(new UsageError(`--halt-after ${haltAfter}: give a count of failures, at least 1`));
  return ok({ canary, parallel, haltAfter });
}
