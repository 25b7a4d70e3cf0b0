import { readFile, realpath, stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { parseNetwork, UsageError, type FleetHost, type NixosViaError } from "@nixos-via/core";
import { evalNetwork, type NetworkArgument } from "@nixos-via/transport-local";
import { fleetStatePath, readFleetState, type FleetState } from "./FleetState.js";

/** A host as a TypeScript program declares it: the shape of a host in `network.nix`. */
export interface FleetHostInput {
  /** Any target URI that holds a system: `dir:PATH`, `ssh://[user@]host[:port]`. */
  readonly target: string;
  /** A built toplevel (a store path, `./result`), or `{ outPath, drvPath }` of one to build. */
  readonly system: string | { readonly outPath: string; readonly drvPath?: string | undefined };
  /** ssh:// only: where the host's system root is. @default "/" */
  readonly root?: string | undefined;
  /** How to install it when it runs no NixOS yet (`dir:` roots need none). */
  readonly install?:
    | {
        readonly method?: "rescue" | "kexec" | undefined;
        readonly layout?: string | Readonly<Record<string, unknown>> | undefined;
        readonly wipe?: readonly string[] | undefined;
        readonly disks?: Readonly<Record<string, string>> | undefined;
        readonly root?: string | undefined;
        readonly copyHostKeys?: boolean | undefined;
        readonly extraFiles?: string | undefined;
      }
    | undefined;
  /** @default [] */
  readonly healthChecks?: readonly string[] | undefined;
  /** @default [] */
  readonly tags?: readonly string[] | undefined;
}

/** A network as a TypeScript object: host name → host. */
export type FleetNetworkInput = Readonly<Record<string, FleetHostInput>>;

/** A network file (`network.nix`, or the same shape as `.json`), a flake output (`.#fleet`), or the network itself. */
export type FleetNetworkSource = string | FleetNetworkInput;

/** A network read and checked, with its state file. */
export interface LoadedNetwork {
  /** The network file, absolute (or the flake output as given); none for an object. */
  readonly file?: string | undefined;
  /** Where its state is kept; none for an object without `stateFile`. */
  readonly stateFile?: string | undefined;
  readonly state: FleetState;
  /** The arguments it was evaluated with. */
  readonly args: Readonly<Record<string, NetworkArgument>>;
  readonly hosts: readonly FleetHost[];
}

/**
 * Reads a network: a `.nix` file is evaluated with `nix-instantiate` (its arguments from
 * `args`, else those `set-args` stored), a flake output (`FLAKE#ATTR`) with `nix eval`, a
 * `.json` file read, an object taken as it is.
 * Relative paths in it (`system = ./result`, a layout file) are read from the file's folder.
 *
 * @example
 * ```ts
 * const network = await loadNetwork("./network.nix");
 * ```
 */
export function loadNetwork(
  source: FleetNetworkSource,
  options: { readonly args?: Readonly<Record<string, NetworkArgument>> | undefined; readonly stateFile?: string | undefined } = {},
): ResultAsync<LoadedNetwork, NixosViaError> {
  const flake = typeof source === "string" && source.includes("#") ? source : undefined;
  const file = typeof source === "string" ? (flake ?? resolve(source)) : undefined;
  const stateFile = options.stateFile ?? (file === undefined ? undefined : fleetStatePath(file));
  const state = stateFile === undefined ? okAsync<FleetState, UsageError>({ args: {}, knownHosts: [] }) : readFleetState(stateFile);
  return state.andThen((s) => {
    const args = options.args ?? s.args;
    const raw = file === undefined ? okAsync<unknown, NixosViaError>(source) : readNetworkFile(file, args);
    const base = file === undefined || flake !== undefined ? process.cwd() : dirname(file);
    return raw
      .andThen((value) => parseNetwork(value))
      .andThen((hosts) => ResultAsync.fromSafePromise(Promise.all(hosts.map((h) => resolvePaths(h, base)))))
      .andThen((hosts) => {
        const bad = hosts.find((h): h is string => typeof h === "string");
        return bad === undefined ? okAsync(hosts as FleetHost[]) : errAsync(new UsageError(bad));
      })
      .map((hosts): LoadedNetwork => ({ ...(file === undefined ? {} : { file }), ...(stateFile === undefined ? {} : { stateFile }), state: s, args, hosts }));
  });
}

function readNetworkFile(file: string, args: Readonly<Record<string, NetworkArgument>>): ResultAsync<unknown, NixosViaError> {
  if (file.includes("#")) return evalNetwork(file, args);
  return ResultAsync.fromSafePromise(stat(file).then((s) => s.isFile(), () => false)).andThen((exists) => {
    if (!exists) return errAsync(new UsageError(`no network file at ${file}: give one with --network FILE (a Nix function returning an attribute set of hosts)`));
    if (!file.endsWith(".json")) return evalNetwork(file, args);
    return ResultAsync.fromPromise(readFile(file, "utf8").then((t) => JSON.parse(t) as unknown), () => new UsageError(`${file} is not JSON`));
  });
}

/** A host with its relative paths made absolute, and a `./result` link read to its store path; or what is wrong. */
async function resolvePaths(host: FleetHost, base: string): Promise<FleetHost | string> {
  const local = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  let path = host.system.path;
  if (!path.startsWith("/nix/store/")) {
    const real = await realpath(local(path)).catch(() => undefined);
    if (real === undefined) return `${host.name}.system: ${local(path)} does not exist; build it first or give a derivation`;
    path = real;
  }
  const install = host.install;
  return {
    ...host,
    system: { ...host.system, path },
    ...(install === undefined
      ? {}
      : {
          install: {
            ...install,
            ...(typeof install.layout === "string" ? { layout: local(install.layout) } : {}),
            ...(install.extraFiles === undefined ? {} : { extraFiles: local(install.extraFiles) }),
          },
        }),
  };
}
