import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import type { Duplex } from "node:stream";
import type { Client } from "ssh2";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { ExecOptions, NixosViaError, Target } from "@nixos-via/core";
import { resolveSshHost, type SshHost } from "./config/resolveSshHost.js";
import { connect, forwardThrough, type ConnectParameters } from "./connect.js";
import { SshConnectError, SshSudoError } from "./errors.js";
import { channelExec } from "./exec/channelExec.js";
import { commandLine } from "./exec/commandLine.js";
import { sudoExec, type RunArgv, type SudoMode } from "./sudo/sudoWrap.js";

/** Options of {@link createSshTarget}; defaults as OpenSSH's. */
export interface SshTargetOptions {
  /** Log in as this user. @default `User` from ~/.ssh/config, else the local user */
  readonly user?: string | undefined;
  /** @default `Port` from ~/.ssh/config, else 22 */
  readonly port?: number | undefined;
  /** Private key files (`-i`). @default IdentityFile from ~/.ssh/config, else ~/.ssh/id_{ed25519,ecdsa,rsa} */
  readonly identityFiles?: readonly string[] | undefined;
  /** @default ~/.ssh/known_hosts */
  readonly knownHostsFile?: string | undefined;
  /** Trust and record a host key seen for the first time. A changed key is refused regardless. @default false */
  readonly acceptNewHostKey?: boolean | undefined;
  /** @default ~/.ssh/config; `false` reads none */
  readonly configFile?: string | false | undefined;
  /** ssh-agent socket. @default $SSH_AUTH_SOCK */
  readonly agent?: string | undefined;
  /** Asked at most once, when the login user needs a password for sudo. @default none: such a login fails */
  readonly askSudoPassword?: (() => Promise<string>) | undefined;
  /** The system's root on the target. @default "/" */
  readonly root?: string | undefined;
  /** @default 20000 */
  readonly connectTimeoutMs?: number | undefined;
}

/** An `ssh://` target; `reconnect` opens a fresh connection (after a reboot or a drop). */
export interface SshTarget extends Target {
  readonly host: SshHost;
  /** Replaces the connection with a new one; `expectHostKey` (base64 blob) is trusted and recorded. */
  reconnect(options?: { expectHostKey?: string; timeoutMs?: number }): ResultAsync<void, NixosViaError>;
}

/**
 * An `ssh://` target on ssh2: one connection for the whole run, host keys checked
 * strictly against known_hosts, ~/.ssh/config applied, ssh-agent and key files, ProxyJump,
 * and sudo for non-root logins (password asked at most once, never in argv).
 *
 * @example
 * ```ts
 * const target = await createSshTarget("203.0.113.7", { user: "root", acceptNewHostKey: true });
 * if (target.isOk()) console.log((await target.value.exec(["uname", "-m"]))._unsafeUnwrap().stdout);
 * ```
 */
export function createSshTarget(hostAlias: string, options: SshTargetOptions = {}): ResultAsync<SshTarget, NixosViaError> {
  const uri = `ssh://${options.user ? `${options.user}@` : ""}${hostAlias}${options.port ? `:${options.port}` : ""}`;
  return resolveSshHost(hostAlias, { user: options.user, port: options.port, configFile: options.configFile })
    .andThen((host) => loadKeys(host, options).map((keys) => ({ host, keys })))
    .andThen(({ host, keys }) => {
      const base = {
        user: host.user,
        privateKeys: keys,
        agent: options.agent ?? process.env["SSH_AUTH_SOCK"],
        knownHostsFile: options.knownHostsFile ?? `${homedir()}/.ssh/known_hosts`,
        acceptNewHostKey: options.acceptNewHostKey ?? false,
        timeoutMs: options.connectTimeoutMs ?? 20_000,
      };
      // Each hop is looked up in the config too, as OpenSSH does: its HostName, Port, User.
      return ResultAsync.combine(
        host.proxyJump.map(parseHop).map((hop) =>
          resolveSshHost(hop.host, { user: hop.user, port: hop.port, configFile: options.configFile }),
        ),
      ).andThen((hops) => {
        const open = (extra: Partial<ConnectParameters> = {}) => openThroughJumps(host, hops, base, extra);
        return open().andThen((client) => setUp(uri, host, client, open, options));
      });
    });
}

type BaseParameters = Omit<ConnectParameters, "hostname" | "port" | "sock">;

function openThroughJumps(host: SshHost, hops: readonly SshHost[], base: BaseParameters, extra: Partial<ConnectParameters>): ResultAsync<Client, NixosViaError> {
  let chain: ResultAsync<Client | undefined, NixosViaError> = okAsync(undefined);
  const opened: Client[] = [];
  const endHops = () => {
    for (const c of opened) c.end();
  };
  for (const hop of hops) {
    chain = chain.andThen((via) =>
      streamThrough(via, hop.hostname, hop.port)
        .andThen((sock) => connect({ ...base, user: hop.user, hostname: hop.hostname, port: hop.port, sock }))
        .map((client) => {
          opened.push(client);
          return client;
        }),
    );
  }
  return chain
    .andThen((via) =>
      streamThrough(via, host.hostname, host.port).andThen((sock) =>
        connect({ ...base, hostname: host.hostname, port: host.port, sock, ...extra }),
      ),
    )
    .map((client) => {
      // The hops live as long as the connection through them.
      client.once("close", endHops);
      return client;
    })
    .orElse((error) => {
      endHops();
      return errAsync(error);
    });
}

/** A forwarded stream through the previous hop, or none for a direct connection. */
function streamThrough(via: Client | undefined, host: string, port: number): ResultAsync<Duplex | undefined, NixosViaError> {
  return via ? forwardThrough(via, host, port) : okAsync(undefined);
}

function parseHop(hop: string): { user?: string; host: string; port?: number } {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop.trim());
  return {
    ...(m?.[1] ? { user: m[1] } : {}),
    host: (m?.[2] ?? hop).replace(/^\[(.*)\]$/, "$1"),
    ...(m?.[3] ? { port: Number(m[3]) } : {}),
  };
}

function loadKeys(host: SshHost, options: SshTargetOptions) {
  // As OpenSSH: -i keys first, then the config's IdentityFiles, else the default names.
  const explicit = options.identityFiles ?? [];
  const configured = host.identityFiles.length > 0 ? host.identityFiles : ["id_ed25519", "id_ecdsa", "id_rsa"].map((n) => `${homedir()}/.ssh/${n}`);
  const paths = [...new Set([...explicit, ...configured])];
  return ResultAsync.combine(
    paths.map((path) =>
      ResultAsync.fromPromise(readFile(path), (cause) => new SshConnectError(`cannot read the identity file ${path}`, { cause })).map(
        (key) => ({ path, key }),
      ).orElse((e) => (explicit.includes(path) ? errAsync(e) : okAsync(undefined))),
    ),
  ).map((keys) => keys.filter((k): k is NonNullable<typeof k> => k !== undefined));
}

function setUp(
  uri: string,
  host: SshHost,
  first: Client,
  open: (extra?: Partial<ConnectParameters>) => ResultAsync<Client, NixosViaError>,
  options: SshTargetOptions,
): ResultAsync<SshTarget, NixosViaError> {
  let client = first;
  let sudo: SudoMode = { kind: "none" };
  const raw = (argv: readonly string[], o: ExecOptions = {}) => {
    const { command, inlined } = commandLine(argv, o.stdin);
    const { stdin: _sent, ...rest } = o;
    return channelExec(client, command, inlined ? rest : o);
  };
  const exec = (argv: readonly string[], o: ExecOptions = {}) => sudoExec(raw, sudo, argv, o);
  // A root login needs no question: every round trip counts on slow links.
  const uid = host.user === "root" ? okAsync("0") : raw(["id", "-u"]).map((r) => r.stdout.trim());
  return uid
    .andThen((id) => (id === "0" ? okAsync<SudoMode, NixosViaError>({ kind: "none" }) : chooseSudo(raw, host, options)))
    .map((mode) => {
      sudo = mode;
    })
    .map(
      (): SshTarget => ({
        uri,
        host,
        root: options.root ?? "/",
        // The one place "running" is decided: an SSH root of / is the machine's live system.
        capabilities: { root: true, remote: true, hostNix: false, running: (options.root ?? "/") === "/" },
        exec,
        close: () => {
          client.end();
          return okAsync(undefined);
        },
        reconnect: (o = {}) => {
          client.end();
          return open({
            ...(o.expectHostKey ? { expectHostKey: o.expectHostKey } : {}),
            ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
          }).map((c) => {
            client = c;
          });
        },
      }),
    )
    .orElse((e) => {
      client.end();
      return errAsync(e);
    });
}

/** sudo without a password when allowed; otherwise ask once and check the password. No sudo, no question. */
function chooseSudo(raw: RunArgv<NixosViaError>, host: SshHost, options: SshTargetOptions): ResultAsync<SudoMode, NixosViaError> {
  return raw(["sudo", "-n", "true"], {}).andThen((r) => {
    if (r.exitCode === 0) return okAsync<SudoMode, NixosViaError>({ kind: "nopasswd" });
    if (r.exitCode === 127) {
      return errAsync(new SshSudoError(`${host.user}@${host.hostname} is not root and has no sudo on its PATH; log in as root, or install sudo there`));
    }
    if (options.askSudoPassword === undefined) {
      return errAsync(new SshSudoError(`${host.user}@${host.hostname} is not root and sudo needs a password; run where a password can be asked, or log in as root`));
    }
    const ask = options.askSudoPassword;
    return ResultAsync.fromPromise(ask(), (cause) => new SshSudoError(`${host.user}@${host.hostname} needs a sudo password: ${(cause as Error).message}`, { cause })).andThen((password) => {
      const mode: SudoMode = { kind: "password", password };
      return sudoExec(raw, mode, ["true"]).andThen((check) =>
        check.exitCode === 0
          ? okAsync<SudoMode, NixosViaError>(mode)
          : errAsync(new SshSudoError(`sudo on ${host.hostname} refused the password for ${host.user}`, { details: check.stderr.trim() })),
      );
    });
  });
}
