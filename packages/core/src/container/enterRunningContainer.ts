import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { TargetUnusableError, type NixosViaError } from "../errors/index.js";
import type { ExecOptions, Target } from "../target/Target.js";
import { containerArgv } from "./containerScript.js";
import nsenterScript from "./nsenter.sh";

/** The init of a running container: its PID on the host, and the system it booted. */
export interface ContainerInit {
  readonly pid: number;
  readonly toplevel: string;
}

/**
 * The argv that runs `argv` inside the running container whose init is `pid` on the
 * host: in all its namespaces (mount, UTS, IPC, network, PID), its root and working
 * folder, with a clean environment (the host's must not leak in) plus `env`. PATH is the
 * running system's programs, then the booted one's (there before the first activation). A small
 * script around nsenter makes an abort (SIGTERM) reach the command inside too.
 *
 * @example
 * ```ts
 * nsenterArgv({ pid: 4242, toplevel: "/nix/store/…-nixos-system-web" }, ["nix-store", "--version"]);
 * ```
 */
export function nsenterArgv(init: ContainerInit, argv: readonly string[], env: Readonly<Record<string, string>> = {}): string[] {
  const path = `/run/current-system/sw/bin:/run/current-system/sw/sbin:${init.toplevel}/sw/bin`;
  const vars = Object.entries({ PATH: path, HOME: "/root", USER: "root", ...env }).map(([k, v]) => `${k}=${v}`);
  return ["sh", "-c", nsenterScript, "nixos-via-nsenter", "-t", String(init.pid), "-m", "-u", "-i", "-n", "-p", "-r", "-w", "--", `${init.toplevel}/sw/bin/env`, "-i", ...vars, ...argv];
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
  return findInit(host).map((init) => (init === undefined ? undefined : containerTarget(host, init)));
}

function findInit(host: Target): ResultAsync<ContainerInit | undefined, NixosViaError> {
  return host.exec(containerArgv("pid", host.root)).map((r) => {
    const [pidText, toplevel] = r.stdout.trim().split(" ");
    const pid = Number(pidText);
    return r.exitCode === 0 && Number.isInteger(pid) && pid > 0 && toplevel?.startsWith("/") ? { pid, toplevel } : undefined;
  });
}

function containerTarget(host: Target, init: ContainerInit): Target {
  const { pid } = init;
  return {
    uri: host.uri,
    root: "/",
    capabilities: { root: host.capabilities.root, remote: host.capabilities.remote, hostNix: false, running: true },
    exec: (argv, options: ExecOptions = {}) => {
      const { env, ...rest } = options;
      return host.exec(nsenterArgv(init, argv, env), rest);
    },
    close: () => host.close(),
    reconnect: (options) =>
      (host.reconnect ? host.reconnect(options) : okAsync(undefined)).andThen(() =>
        findInit(host).andThen((now) =>
          now?.pid === pid
            ? okAsync(undefined)
            : errAsync<void, NixosViaError>(
                new TargetUnusableError(host.uri, now === undefined ? `the container of ${host.uri} stopped` : `the container of ${host.uri} was restarted (init ${pid} → ${now.pid})`),
              ),
        ),
      ),
  };
}
