import { okAsync, type ResultAsync } from "neverthrow";
import type { DeltaOptions, StorePathInfo, Target, TargetFacts } from "@nixos-via/core";
import type { LocalStore } from "@nixos-via/transport-local";

/** Reads the delta options of a plan; `onCandidates` goes to the probe, `read` after it. */
export interface DeltaOptionsReader {
  /** For `probeTarget`'s `onCandidates`: starts reading this machine's copies early. Absent when no delta may be sent. */
  readonly onCandidates: ((candidates: readonly string[]) => void) | undefined;
  /** The delta options, once the probe has said which predecessors the target has. */
  read(facts: Pick<TargetFacts, "predecessors">): ResultAsync<DeltaOptions, never>;
}

/**
 * The delta options of a plan: `delta` as the operation got it (`undefined`: to remote
 * targets only), with the path infos of the target's predecessors this machine holds.
 * This machine's store is asked only when a delta may be sent: as soon as the probe names
 * the candidates (before the target's Nix has checked them, ~50 ms of local Nix overlapping
 * the target's), else after the probe.
 */
export function readDeltaOptions(delta: boolean | undefined, target: Pick<Target, "capabilities">, store: Pick<LocalStore, "readPathInfos">): DeltaOptionsReader {
  const mode: DeltaOptions["mode"] = delta === undefined ? "auto" : delta ? "on" : "off";
  const wanted = !(mode === "off" || (mode === "auto" && !target.capabilities.remote));
  let early: { readonly asked: ReadonlySet<string>; readonly infos: ResultAsync<StorePathInfo[], never> } | undefined;
  return {
    onCandidates: wanted
      ? (candidates) => {
          if (candidates.length > 0) early = { asked: new Set(candidates), infos: store.readPathInfos(candidates) };
        }
      : undefined,
    read(facts) {
      const predecessors = facts.predecessors ?? new Set<string>();
      if (!wanted || predecessors.size === 0) return okAsync({ mode, predecessors: [] });
      const exact = () => store.readPathInfos([...predecessors]).map((infos) => ({ mode, predecessors: infos }));
      if (early === undefined || ![...predecessors].every((p) => early!.asked.has(p))) return exact();
      // The early read asked for candidates the target then found invalid too; one path
      // Nix cannot describe here fails the whole read, so an empty answer asks again.
      return early.infos.andThen((infos) => {
        const held = infos.filter((i) => predecessors.has(i.path));
        return held.length > 0 ? okAsync({ mode, predecessors: held }) : exact();
      });
    },
  };
}
