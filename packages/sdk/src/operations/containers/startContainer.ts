import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { containerArgv, containerNetwork, parseContainerStatus, UsageError, type ContainerNetwork, type ContainerStatus } from "@nixos-via/core";
import type { ContainerError } from "../../errors/operationErrorCodes.js";
import { withErrorCodes } from "../../errors/OperationError.js";
import { runContainerCommand, withContainerHost, type ContainerTargetOptions } from "./withContainerHost.js";

/** Options of {@link startContainer}. */
export interface StartContainerParameters extends ContainerTargetOptions {
  /** Its own network namespace (only `lo` unless `address` adds a veth pair). @default false, or true with `address` */
  readonly privateNetwork?: boolean | undefined;
  /** The container's IPv4 address with prefix (`10.231.0.2/24`) on a veth pair (`host0` inside, `ve-PID` on the host). */
  readonly address?: string | undefined;
  /** The host's end of the pair, the container's default route. @default the subnet's first free address */
  readonly hostAddress?: string | undefined;
  /** Check and print the command, start nothing. @default false */
  readonly dryRun?: boolean | undefined;
}

/** What {@link startContainer} did. */
export interface StartContainerReport {
  readonly dryRun: boolean;
  /** The command that runs (ran) on the host, argv. */
  readonly command: readonly string[];
  readonly network?: ContainerNetwork | undefined;
  /** How it runs now (absent for a dry run). */
  readonly status?: ContainerStatus | undefined;
}

/**
 * Boots the system in a root as a container: its profile's `init` becomes PID 1 of new
 * PID, mount, UTS and IPC namespaces (and a network namespace with `privateNetwork` or
 * `address`), with `/proc`, `/sys` (read-only), a small `/dev` and `/run` made for it and
 * `container=nixos-via` in its environment. It runs detached on the root's machine —
 * this one for `dir:`, the SSH host for `ssh://host` with `root` (which needs only
 * util-linux and iproute2, no Nix) — and its console goes to a log beside the root.
 *
 * @example
 * ```ts
 * const r = await startContainer({ target: "dir:/var/lib/machines/web", address: "10.231.0.2/24" });
 * ```
 */
export function startContainer(parameters: StartContainerParameters): ResultAsync<StartContainerReport, ContainerError> {
  const network = parameters.address === undefined ? undefined : containerNetwork(parameters.address, parameters.hostAddress);
  if (network?.isErr()) return errAsync(network.error);
  const net = network?.isOk() ? network.value : undefined;
  if (net === undefined && parameters.hostAddress !== undefined) return errAsync(new UsageError("a host address needs the container's address (--address)"));
  const privateNetwork = parameters.privateNetwork ?? net !== undefined;
  if (!privateNetwork && net !== undefined) return errAsync(new UsageError("an address needs the container's own network; drop privateNetwork: false"));
  const args = [privateNetwork ? "private" : "host", ...(net ? [net.address, net.hostAddress] : [])];
  return withErrorCodes(
    withContainerHost(parameters, (host) => {
      const command = containerArgv("start", host.root, args);
      if (parameters.dryRun) return okAsync<StartContainerReport>({ dryRun: true, command, network: net });
      return runContainerCommand(host, "start", args)
        .andThen(() => runContainerCommand(host, "status", ["10"]))
        .andThen((r) => parseContainerStatus(r.stdout))
        .map((status): StartContainerReport => ({ dryRun: false, command, network: net, status }));
    }),
  );
}
