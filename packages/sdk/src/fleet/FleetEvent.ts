import type { FleetPlan, FleetSummary, HostOutcome, PipelineEvent, Wave } from "@nixos-via/core";

/**
 * What a fleet run reports, in order. Every event has `host`: the host's name for the
 * events of one host (its operation's own events, tagged, and its start and end), `null`
 * for the rollout's (plan, waves, halt, summary). `--json` prints these objects.
 */
export type FleetEvent =
  | (PipelineEvent & { readonly host: string })
  | { readonly type: "build"; readonly host: null; readonly derivations: number }
  | { readonly type: "fleet-plan"; readonly host: null; readonly plan: FleetPlan; readonly dryRun: boolean }
  | { readonly type: "wave-start"; readonly host: null; readonly wave: Wave }
  | { readonly type: "host-start"; readonly host: string; readonly action: "install" | "deploy" }
  | { readonly type: "host-end"; readonly host: string; readonly outcome: HostOutcome }
  | { readonly type: "wave-end"; readonly host: null; readonly wave: Wave; readonly failed: readonly string[] }
  | { readonly type: "halt"; readonly host: null; readonly reason: string }
  | { readonly type: "fleet-done"; readonly host: null; readonly summary: FleetSummary };
