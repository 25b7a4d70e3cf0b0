import containerScript from "./container.sh";

/**
 * Runs a system root as a container on the machine the script runs on, with plain
 * namespaces (util-linux `unshare`, `nsenter`, `pivot_root`; `ip` for a veth pair): no
 * systemd, no Nix there. Commands: `start ROOT NET [ADDRESS HOST_ADDRESS]`,
 * `stop ROOT TIMEOUT`, `status ROOT LINES`, `logs ROOT LINES FOLLOW`, `pid ROOT`.
 *
 * The container's state lives beside the root, out of the container's reach:
 * `PARENT/.NAME.container/` holds `pid` ("PID STARTTIME", so a reused PID is never taken
 * for the init), `toplevel`, `network`, `net`, `console.log` (the init's output),
 * `exit` (its exit status), `stopped` (written by `stop`).
 */
export const CONTAINER_SCRIPT: string = containerScript;

/** What the container script does. */
export type ContainerCommand = "start" | "stop" | "status" | "logs" | "pid";

/**
 * The argv that runs one container command for `root` on a host target.
 *
 * @example
 * ```ts
 * containerArgv("status", "/var/lib/machines/web", ["20"]);
 * ```
 */
export function containerArgv(command: ContainerCommand, root: string, args: readonly string[] = []): string[] {
  return ["sh", "-c", CONTAINER_SCRIPT, "nixos-via-container", command, root, ...args];
}
