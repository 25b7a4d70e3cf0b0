import type { HostOutcomeKind } from "./HostOutcome.js";

/**
 * A rollout as the state file keeps it, so `--resume` can continue one that halted: each
 * host it meant to act on, the toplevel it was to get, and how it ended.
 */
export interface SavedRollout {
  readonly startedAt: string;
  /** Why it halted; absent when it ran to its end. */
  readonly halted?: string | undefined;
  readonly hosts: Readonly<Record<string, { readonly toplevel: string; readonly outcome: HostOutcomeKind; readonly action?: "install" | "deploy" | undefined }>>;
}
