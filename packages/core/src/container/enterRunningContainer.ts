import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { TargetUnusableError, type NixosViaError } from "../errors/index.js";
import type { ExecOptions, Target } from "../target/Target.js";
import { containerArgv } from "./containerScript.js";

/** The PATH commands get inside a container: the running system's own programs. */
const CONTAINER_PATH = "/run/current-system/sw/bin:/run/current-system/sw/sbin";

/**
 * The argv that runs `argv` inside the running container whose init is `pid` on the
 * host: in all its namespaces (mount, UTS, IPC, network, PID), its root and working
 * folder, with a clean environment (the host's must not leak in) plus `env`.
 *
 * @example
 * ```ts
 * nsenterArgv(4242, ["nix-store", "--version"]);
 * ```
 */
export function nsenterArgv(pid: number, argv: readonly string[], env: Readonly<Record<string, string>> = {}): string[] {
  const vars = Object.entries({ PATH: CONTAINER_PATH, HOME: "/root", USER: "root", ...env }).map(([k, v]) => `${k}=${v}`);
  return ["nsenter", "-t", String(pid), "-m", "-u", "-i", "-n", "-p", "-r", "-w", "--", "/run/current-system/sw/bin/env", "-i", ...vars, ...argv];
}

/**
 * Finds the running container of `host.root` (a `dir:` root, or a root on a host over
 * SSH) and returns a target whose commands run inside it: its root is `/` and it is a
 * running system, so a deploy switches it in place, detached, with magic rollback and
 * health checks as on a machine. Resolves to undefined when no container runs there.
 *
 * Its `reconnect` (the magic-rollback confirmation) opens the host's connection again if
 * it has one, then enters the container afresh: it fails when the container stopped or
 * is another one (a new init) since it was found.
 *
 * @example
 * ```ts
 * const inside = await enterRunningContainer(dirTarget);
 * if (inside.isOk() && inside.value) await inside.value.exec(["nixos-version"]);
 * ```
 */
export function enterRunningContainer(host: Target): ResultAsync<Target | undefined, NixosViaError> {
  if (host.root === "/") return okAsync(undefined);
  return findInit(host).map((pid) => (pid === undefined ? undefined : containerTarget(host, pid)));
}

function findInit(host: Target): ResultAsync<number | undefined, NixosViaError> {
  return host.exec(containerArgv("pid", host.root)).map((r) => {
    const pid = Number(r.stdout.trim());
    return r.exitCode === 0 && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  });
}

function containerTarget(host: Target, pid: number): Target {
  return {
    uri: host.uri,
    root: "/",
    capabilities: { root: host.capabilities.root, remote: host.capabilities.remote, hostNix: false, running: true },
    exec: (argv, options: ExecOptions = {}) => {
      const { env, ...rest } = options;
      return host.exec(nsenterArgv(pid, argv, env), rest);
    },
    close: () => host.close(),
    reconnect: (options) =>
      (host.reconnect ? host.reconnect(options) : okAsync(undefined)).andThen(() =>
        findInit(host).andThen((now) =>
          now === pid
            ? okAsync(undefined)
            : errAsync<void, NixosViaError>(
                new TargetUnusableError(host.uri, now === undefined ? `the container of ${host.uri} stopped` : `the container of ${host.uri} was restarted (init ${pid} → ${now})`),
              ),
        ),
      ),
  };
}
