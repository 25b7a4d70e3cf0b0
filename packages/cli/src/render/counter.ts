import type { PipelineEvent } from "@nixos-via/core";

/** `[3/17]` for a plan's steps; `[cleanup]` for the steps run after a failure. */
export function counter(event: Extract<PipelineEvent, { type: "step-start" }>): string {
  return event.index < event.total ? `[${event.index + 1}/${event.total}]` : "[cleanup]";
}
