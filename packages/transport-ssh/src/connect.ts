import { appendFile, mkdir, readFile } from "node:fs/promises";
import { connect as connectTcp } from "node:net";
import { dirname } from "node:path";
import type { Client, ConnectConfig } from "ssh2";
import type { Duplex } from "node:stream";
import { okAsync, ResultAsync } from "neverthrow";
import type { NixosViaError } from "@nixos-via/core";
import { SshConnectError, SshHostKeyMismatchError, SshHostKeyUnknownError } from "./errors.js";
import {
  fingerprint,
  judgeHostKey,
  knownHostsLine,
  knownHostsName,
  hostKeyTypesToAsk,
  parseKnownHosts,
} from "./hostKeys/knownHosts.js";
import { authenticateOnExtInfo, signKeyFilesAtOnce } from "./login/loginShortcuts.js";

/** Everything needed to open one authenticated, verified connection. */
export interface ConnectParameters {
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  readonly privateKeys: readonly { readonly path: string; readonly key: Buffer }[];
  readonly agent: string | undefined;
  readonly knownHostsFile: string;
  readonly acceptNewHostKey: boolean;
  /** A key blob (base64) trusted for this host even if known_hosts says otherwise; recorded on success. */
  readonly expectHostKey?: string | undefined;
  readonly timeoutMs: number;
  /** An already open stream to the host (a ProxyJump hop). */
  readonly sock?: Duplex | undefined;
}

/** The host key algorithms ssh2 can ask for, by known_hosts key type; other types cannot be asked for. */
const ALGORITHMS_FOR_TYPE: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};

/**
 * Opens an SSH connection: strict host-key checking against known_hosts (an unknown key
 * is refused unless `acceptNewHostKey`, then recorded; a changed key is always refused),
 * then public-key login with the agent and the given keys.
 */
export function connect(p: ConnectParameters): ResultAsync<Client, NixosViaError> {
  const name = knownHostsName(p.hostname, p.port);
  // The TCP handshake (a round trip) runs while known_hosts is read and ssh2 is loaded
  // (~50 ms of modules, loaded only by a command that connects). ssh2 takes over a socket
  // that is still connecting; an error before that is kept and fails the connect below.
  const sock = p.sock ?? connectTcp({ host: p.hostname, port: p.port });
  let early: Error | undefined;
  const keepEarly = (e: Error) => (early ??= e);
  sock.on("error", keepEarly);
  const prepared = ResultAsync.fromPromise(Promise.all([readFile(p.knownHostsFile, "utf8").catch(() => ""), import("ssh2")]), (cause): NixosViaError => {
    sock.destroy();
    return new SshConnectError(`cannot load ssh2 to connect to ${name}: ${(cause as Error).message}`, { cause });
  });
  return prepared.andThen(([text, { Client }]) => {
    const entries = parseKnownHosts(text);
    const expected = p.expectHostKey === undefined ? undefined : Buffer.from(p.expectHostKey, "base64");
    const preferred = hostKeyTypesToAsk(entries, name, expected).flatMap((t) => ALGORITHMS_FOR_TYPE[t] ?? []);
    let refusal: NixosViaError | undefined;
    let toRecord: Uint8Array | undefined;
    let unsignable: string | undefined;
    const client = new Client();
    const config: ConnectConfig = {
      host: p.hostname,
      port: p.port,
      username: p.user,
      readyTimeout: p.timeoutMs,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      ...(p.agent ? { agent: p.agent } : {}),
      sock,
      // ssh2's prepend skips what its default list holds already (all of these), so they
      // are removed first: only then do they move to the front, in this order.
      ...(preferred.length > 0
        ? { algorithms: { serverHostKey: { remove: preferred, prepend: preferred } as never } }
        : {}),
      hostVerifier: (key: Buffer) => {
        if (p.expectHostKey !== undefined && key.toString("base64") === p.expectHostKey) {
          toRecord = judgeHostKey(entries, name, key) === "known" ? undefined : key;
          return true;
        }
        const verdict = judgeHostKey(entries, name, key);
        if (verdict === "known") return true;
        // While a key is expected (a rebooted machine's new identity) it is the only new key
        // trusted: --accept-new-host-key must not let a third, unknown one in.
        if (verdict === "unknown" && p.acceptNewHostKey && p.expectHostKey === undefined) {
          toRecord = key;
          return true;
        }
        refusal =
          verdict === "unknown" && p.expectHostKey !== undefined
            ? new SshHostKeyMismatchError(name, fingerprint(key), p.knownHostsFile, "the new system's key read before the reboot")
            : verdict === "unknown"
              ? new SshHostKeyUnknownError(name, fingerprint(key), p.knownHostsFile)
              : new SshHostKeyMismatchError(name, fingerprint(key), p.knownHostsFile);
        return false;
      },
      authHandler: authMethods(p, () => signKeyFilesAtOnce(client)),
    };
    return ResultAsync.fromPromise(
      new Promise<Client>((resolve, reject) => {
        client.once("ready", () => resolve(client));
        // Errors keep coming after the first (a host that is rebooting resets connections,
        // a dropped link errs on every open channel): every one needs a listener, and only
        // the first can fail the connect; later ones surface through the commands they break.
        // A key file that cannot sign is reported, then ssh2 tries the next key itself.
        client.on("error", (e: Error & { level?: string }) => {
          if (e.level === "client-authentication" && /\bsigning\b/.test(e.message)) unsignable = e.message;
          else reject(e);
        });
        if (early !== undefined) {
          reject(early);
          return;
        }
        sock.off("error", keepEarly);
        client.connect(config);
        authenticateOnExtInfo(client);
      }),
      (cause): NixosViaError => {
        client.end();
        if (refusal) return refusal;
        const e = cause as Error & { level?: string };
        const auth = e.level === "client-authentication";
        return new SshConnectError(
          auth
            ? `${p.user}@${name} refused every key offered (${describeKeys(p)}${unsignable === undefined ? "" : `; one could not sign: ${unsignable}`}); pass -i KEY or load the key into ssh-agent`
            : `cannot connect to ${name}: ${e.message}`,
          { cause },
        );
      },
    ).andThen((c) => (toRecord === undefined ? okAsync(c) : recordHostKey(p.knownHostsFile, name, toRecord).map(() => c)));
  });
}

function describeKeys(p: ConnectParameters): string {
  const keys = p.privateKeys.map((k) => k.path);
  if (p.agent) keys.unshift("ssh-agent");
  return keys.length > 0 ? keys.join(", ") : "none found";
}

/** The agent first, then each key file, as OpenSSH tries them; `starting` runs before the first. */
function authMethods(p: ConnectParameters, starting: () => void): ConnectConfig["authHandler"] {
  const methods: ({ type: "agent"; agent: string; username: string } | { type: "publickey"; key: Buffer; username: string })[] = [];
  if (p.agent) methods.push({ type: "agent", agent: p.agent, username: p.user });
  for (const k of p.privateKeys) methods.push({ type: "publickey", key: k.key, username: p.user });
  let i = 0;
  return ((_methodsLeft: unknown, _partial: unknown, next: (m: unknown) => void) => {
    if (i === 0) starting();
    const m = methods[i++];
    next(m ?? false);
  }) as ConnectConfig["authHandler"];
}

function recordHostKey(file: string, name: string, key: Uint8Array): ResultAsync<void, NixosViaError> {
  return ResultAsync.fromPromise(
    mkdir(dirname(file), { recursive: true, mode: 0o700 }).then(() => appendFile(file, `${knownHostsLine(name, key)}\n`, { mode: 0o600 })),
    (cause) => new SshConnectError(`cannot record the host key of ${name} in ${file}`, { cause }),
  );
}

/** Opens a forwarded stream through `via` to host:port (one ProxyJump hop). */
export function forwardThrough(via: Client, host: string, port: number): ResultAsync<Duplex, NixosViaError> {
  return ResultAsync.fromPromise(
    new Promise<Duplex>((resolve, reject) =>
      via.forwardOut("127.0.0.1", 0, host, port, (e, stream) => (e ? reject(e) : resolve(stream))),
    ),
    (cause) => new SshConnectError(`the jump host cannot reach ${host}:${port}`, { cause }),
  );
}

