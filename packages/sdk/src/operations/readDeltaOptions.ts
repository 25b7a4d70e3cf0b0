import { okAsync, type ResultAsync } from "neverthrow";
import type { DeltaOptions, Target, TargetFacts } from "@nixos-via/core";
import type { LocalStore } from "@nixos-via/transport-local";

/**
 * The delta options of a plan: `delta` as the operation got it (`undefined`: to remote
 * targets only), with the path infos of the target's predecessors this machine holds.
 * This machine's store is asked only when a delta may be sent.
 */
export function readDeltaOptions(delta: boolean | undefined, target: Pick<Target, "capabilities">, facts: TargetFacts, store: Pick<LocalStore, "readPathInfos">): ResultAsync<DeltaOptions, never> {
  const mode = delta === undefined ? "auto" : delta ? "on" : "off";
  const candidates = [...(facts.predecessors ?? [])];
  if (mode === "off" || (mode === "auto" && !target.capabilities.remote) || candidates.length === 0) return okAsync({ mode, predecessors: [] });
  return store.readPathInfos(candidates).map((predecessors) => ({ mode, predecessors }));
}
