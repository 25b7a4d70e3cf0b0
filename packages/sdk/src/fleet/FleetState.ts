import { readFile, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { UsageError, type SavedRollout } from "@nixos-via/core";
import type { NetworkArgument } from "@nixos-via/transport-local";

/**
 * What a network's state file keeps between runs: the arguments `set-args` stored, the
 * hosts the last rollout saw (to list the ones that left), and the last rollout (for
 * `--resume`).
 */
export interface FleetState {
  readonly args: Readonly<Record<string, NetworkArgument>>;
  readonly knownHosts: readonly string[];
  readonly rollout?: SavedRollout | undefined;
}

const EMPTY: FleetState = { args: {}, knownHosts: [] };

/**
 * The state file of a network file: beside it, named after it (`network.nix` →
 * `network.state.json`). A flake output's is in the working folder, named after the
 * output (`.#fleet` → `./fleet.state.json`).
 *
 * @example
 * ```ts
 * fleetStatePath("/srv/fleet/network.nix") // "/srv/fleet/network.state.json"
 * ```
 */
export function fleetStatePath(network: string): string {
  const hash = network.lastIndexOf("#");
  if (hash >= 0) return resolve(`${network.slice(hash + 1) || "network"}.state.json`);
  const file = resolve(network);
  return join(dirname(file), `${basename(file).replace(/\.[^.]*$/, "")}.state.json`);
}

/** Reads a state file; none yet is an empty state. */
export function readFleetState(file: string): ResultAsync<FleetState, UsageError> {
  return ResultAsync.fromSafePromise(readFile(file, "utf8").then((t) => t, (e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : e))).andThen((text) => {
    if (text === undefined) return okAsync(EMPTY);
    if (typeof text !== "string") return errAsync(new UsageError(`cannot read ${file}: ${text.code ?? text.message}`));
    try {
      const raw = JSON.parse(text) as Partial<FleetState> & { version?: number };
      if (raw.version !== 1 || typeof raw.args !== "object" || raw.args === null) throw new Error("not a state file");
      return okAsync({ args: raw.args, knownHosts: Array.isArray(raw.knownHosts) ? raw.knownHosts : [], ...(raw.rollout ? { rollout: raw.rollout } : {}) });
    } catch {
      return errAsync(new UsageError(`${file} is not a nixos-via fleet state file (version 1): move it away or fix it`));
    }
  });
}

/** Writes a state file whole: to a temporary name first, so a cut write leaves the old one. */
export function writeFleetState(file: string, state: FleetState): ResultAsync<void, UsageError> {
  const text = `${JSON.stringify({ version: 1, ...state }, null, 2)}\n`;
  const temporary = `${file}.${process.pid}.tmp`;
  return ResultAsync.fromPromise(
    writeFile(temporary, text, { mode: 0o644 }).then(() => rename(temporary, file)),
    (e) => new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`),
  );
}
