import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import type { GenerationInfo, NixosViaError, Target } from "@nixos-via/core";
import { generations } from "nixos-via";

/** What a machine runs, read from it (never from the state). */
export type HostFacts =
  | { readonly nixos: false }
  | {
      readonly nixos: true;
      /** `/run/current-system` of a running system; the current generation's toplevel of a stored root. */
      readonly toplevel: string;
      /** The current generation of the system profile. */
      readonly generation: number;
    };

/**
 * Reads what the machine runs: the toplevel and generation, or that it is not NixOS yet
 * (it has no system profile, as a rescue system or an empty root). A running system's
 * `/run/current-system` is read rather than its profile, so a switch made outside Pulumi
 * (or a `test` switch, or a rollback) shows as what it is.
 *
 * @example
 * ```ts
 * const facts = await readHost(target); // { nixos: true, toplevel: "/nix/store/…", generation: 3 }
 * ```
 */
export function readHost(target: Target): ResultAsync<HostFacts, NixosViaError> {
  return generations({ target })
    .orElse((e): ResultAsync<GenerationInfo[], NixosViaError> => (e.code === "TARGET_UNUSABLE" ? okAsync([]) : errAsync(e)))
    .andThen((list): ResultAsync<HostFacts, NixosViaError> => {
    const current = list.find((g) => g.current);
    if (current === undefined) return okAsync({ nixos: false });
    if (!target.capabilities.running) return okAsync({ nixos: true, toplevel: current.toplevel, generation: current.number });
    return target.exec(["readlink", "-f", "/run/current-system"]).map((r) => {
      const running = r.exitCode === 0 ? r.stdout.trim() : "";
      return { nixos: true, toplevel: running === "" ? current.toplevel : running, generation: current.number };
    });
  });
}
