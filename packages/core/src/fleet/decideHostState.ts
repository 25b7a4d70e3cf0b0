import type { FleetHost } from "./FleetHost.js";
import type { HostFacts } from "./HostFacts.js";

/** What a rollout does with a host. `left`: in the last known network, not in this one: never touched. */
export type HostState = "install" | "deploy" | "unchanged" | "unreachable" | "left";

/** A host's state and, when it cannot be acted on as declared, why. */
export interface HostDecision {
  readonly state: Exclude<HostState, "left">;
  /** Set when nothing will be done although something should: the host is reported, not started. */
  readonly problem?: string | undefined;
}

/**
 * Decides what a rollout does with one host: a host that holds no system is installed
 * (a `dir:` root as it is; any other target needs the `install` it declares), one that
 * runs another toplevel is deployed, one that runs this toplevel is left alone.
 *
 * @example
 * ```ts
 * decideHostState(host, { reachable: true, current: host.system.path }) // { state: "unchanged" }
 * ```
 */
export function decideHostState(host: FleetHost, facts: HostFacts): HostDecision {
  if (!facts.reachable) return { state: "unreachable", problem: facts.reason };
  if (facts.current === undefined) {
    if (host.install === undefined && !host.target.startsWith("dir:")) {
      return { state: "install", problem: `${host.target} holds no NixOS system and the host declares no install (method, layout, wipe)` };
    }
    return { state: "install" };
  }
  return facts.current === host.system.path ? { state: "unchanged" } : { state: "deploy" };
}
