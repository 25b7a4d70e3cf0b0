import type { HostState } from "./decideHostState.js";

/** One host in a {@link FleetPlan}: what it runs, what it will run, what happens to it. */
export interface PlannedHost {
  readonly name: string;
  readonly target: string;
  readonly state: HostState;
  /** The toplevel the network gives it. */
  readonly toplevel: string;
  /** What it runs now, when it holds a system. */
  readonly current?: string | undefined;
  readonly generation?: number | undefined;
  /** Why it is not started although its state says it should be (unreachable, no install declared…). */
  readonly problem?: string | undefined;
  /**
   * Its profile already points at this system, but the last rollout, which put it there,
   * failed or was stopped before it finished (an install whose activation failed on a
   * stored root, say): it is installed or deployed again instead of taken as unchanged.
   */
  readonly unfinished?: boolean | undefined;
  /** On a resumed rollout: it failed in the run that halted, and is not retried by `--resume`. */
  readonly failedEarlier?: boolean | undefined;
  /** What its own dry run found: paths and bytes to send, and the switch action (filled by the SDK's preview). */
  readonly copy?: { readonly paths: number; readonly bytes: number } | undefined;
  readonly switchAction?: string | undefined;
}

/** A batch of hosts started together; the next starts only once every host of this one ended. */
export interface Wave {
  readonly index: number;
  /** The canary goes first: any failure there halts the rollout, whatever the budget. */
  readonly kind: "canary" | "wave";
  readonly hosts: readonly string[];
}

/** The rollout's bounds, resolved from the options. */
export interface RolloutBounds {
  readonly canary: number;
  /** The widest wave, in hosts. */
  readonly maxUnavailable: number;
  /** Hosts worked on at once inside a wave. */
  readonly parallel: number;
  /** The rollout halts once this many hosts failed. */
  readonly haltAfter: number;
}

/**
 * A whole rollout, as plain data: every selected host with its state, the hosts that left
 * the network, and the waves in order. `fleet plan` prints it; `deployFleet` runs it.
 */
export interface FleetPlan {
  readonly hosts: readonly PlannedHost[];
  /** Hosts of the last known network that this one no longer has: listed, never touched. */
  readonly left: readonly string[];
  /** Hosts of the network that `--on` did not select. */
  readonly notSelected: readonly string[];
  readonly waves: readonly Wave[];
  readonly bounds: RolloutBounds;
  /** It continues a halted rollout (`--resume`). */
  readonly resumed: boolean;
}
