import type { Client } from "ssh2";

/*
 * Round trips that ssh2's login spends and the SSH protocol does not need. Both reach
 * into ssh2's protocol object (private API, ssh2 1.x): each checks what it wraps and,
 * when ssh2 looks different, leaves the login as ssh2 does it.
 */

/** What ssh2's protocol object offers for a public-key login (private API). */
interface AuthProtocol {
  authPK?: (username: string, key: unknown, keyAlgo?: unknown, sign?: unknown) => void;
}
/** A private key as ssh2 parses it. */
interface ParsedKey {
  isPrivateKey(): boolean;
  sign(data: Buffer, hash?: string): Buffer | Error;
}

/**
 * Logs in with a key file in one round trip instead of two: ssh2, like OpenSSH, first asks
 * whether the server would take the key, then sends the signed request. RFC 4252 lets a
 * client send the signature at once; for a key of its own file (no agent, no hardware
 * token to touch) asking first only costs the round trip, 40 ms on the benchmark's link.
 * ssh2 has no option for it: its protocol object's `authPK` is wrapped so that the query
 * carries the signature, the hash chosen as ssh2 does for the same algorithm. Keys of the
 * agent, and ssh2 versions without this object, log in as before.
 */
export function signKeyFilesAtOnce(client: Client): void {
  // ssh2's own pairs (getKeyAlgos); other key types hash as their type says.
  const RSA_HASHES: Record<string, string> = { "rsa-sha2-512": "sha512", "rsa-sha2-256": "sha256", "ssh-rsa": "sha1" };
  const protocol = (client as unknown as { _protocol?: AuthProtocol })._protocol;
  const authPK = protocol?.authPK;
  if (protocol === undefined || typeof authPK !== "function" || Object.prototype.hasOwnProperty.call(protocol, "authPK")) return;
  protocol.authPK = function (this: AuthProtocol, username, key, keyAlgo, sign) {
    const parsed = key as Partial<ParsedKey> | undefined;
    const query = sign === undefined && typeof keyAlgo !== "function";
    if (!query || typeof parsed?.isPrivateKey !== "function" || !parsed.isPrivateKey() || typeof parsed.sign !== "function") {
      return authPK.call(this, username, key, keyAlgo, sign);
    }
    const hash = RSA_HASHES[String(keyAlgo)];
    // ssh2 builds the signed request only in `done`, synchronously. A key that cannot sign
    // (a damaged private part; an empty ECDSA signature made ssh2 throw) never calls it and
    // is asked about instead, as without this wrapper: the server refuses it, or takes it
    // and ssh2 reports that it cannot sign (connect goes on); either way the next key follows.
    return authPK.call(this, username, key, keyAlgo, (data: Buffer, done: (signature: Buffer) => void) => {
      const signature = signOrError(parsed as ParsedKey, data, hash);
      if (signature instanceof Error) return authPK.call(this, username, key, keyAlgo);
      done(signature);
    });
  };
}

/** The key's signature of `data`, or the Error it gave or threw. */
function signOrError(key: ParsedKey, data: Buffer, hash: string | undefined): Buffer | Error {
  try {
    return key.sign(data, hash);
  } catch (cause) {
    return cause instanceof Error ? cause : new Error(String(cause));
  }
}

/** ssh2's protocol object as far as the start of the login uses it (private API). */
interface HandlerProtocol {
  _handlers?: Record<string, ((protocol: unknown, ...args: unknown[]) => void) | undefined>;
}

/**
 * Starts the login when the server's EXT_INFO arrives instead of when it accepts the
 * login service: one round trip fewer, 40 ms on the benchmark's link. ssh2 asks for the
 * `ssh-userauth` service once the key exchange is done and waits for SERVICE_ACCEPT before
 * it sends the first login request. RFC 4253 lets the client send that request right
 * behind its service request; OpenSSH (since 7.2) sends EXT_INFO, which carries the
 * signature algorithms an RSA key's login needs, in the same flight as its NEWKEYS, a
 * round trip before SERVICE_ACCEPT. So the login starts on EXT_INFO, and the
 * SERVICE_ACCEPT that follows is not answered twice. A server that sends no EXT_INFO is
 * logged into when it accepts the service, as before. Call right after `client.connect()`.
 */
export function authenticateOnExtInfo(client: Client): void {
  const handlers = (client as unknown as { _protocol?: HandlerProtocol })._protocol?._handlers;
  const accept = handlers?.SERVICE_ACCEPT;
  const extInfo = handlers?.EXT_INFO;
  if (handlers === undefined || typeof accept !== "function" || typeof extInfo !== "function") return;
  let login: "waiting" | "started early" | "accepted" = "waiting";
  // ssh2 asks for the service as soon as it has emitted this (the key exchange is done).
  let serviceAsked = false;
  client.once("handshake", () => (serviceAsked = true));
  handlers.EXT_INFO = (protocol, ...args) => {
    extInfo(protocol, ...args);
    // Later EXT_INFOs (OpenSSH sends one again after the login) change nothing here.
    if (login !== "waiting" || !serviceAsked) return;
    login = "started early";
    accept(protocol, "ssh-userauth");
  };
  handlers.SERVICE_ACCEPT = (protocol, name, ...rest) => {
    if (name !== "ssh-userauth") return accept(protocol, name, ...rest);
    const early = login === "started early";
    login = "accepted";
    if (!early) accept(protocol, name, ...rest);
  };
}
