import type { Client } from "ssh2";
import { describe, expect, it } from "vitest";
import { authenticateOnExtInfo, signKeyFilesAtOnce } from "./loginShortcuts.js";

/** ssh2's protocol object as far as a public-key login uses it: `authPK` on its prototype, which signs synchronously. */
class FakeProtocol {
  readonly sent: ({ query: unknown } | { signed: string })[] = [];
  authPK(_user: string, _key: unknown, keyAlgo?: unknown, sign?: (data: Buffer, done: (s: Buffer) => void) => void): void {
    if (sign === undefined) this.sent.push({ query: keyAlgo });
    else sign(Buffer.from("session+request"), (s) => this.sent.push({ signed: s.toString() }));
  }
}

function loginWith(sign: () => Buffer | Error): FakeProtocol["sent"] {
  const protocol = new FakeProtocol();
  signKeyFilesAtOnce({ _protocol: protocol } as unknown as Client);
  protocol.authPK("root", { isPrivateKey: () => true, sign }, "ecdsa-sha2-nistp256");
  return protocol.sent;
}

describe("signKeyFilesAtOnce", () => {
  it("sends a key file's request signed at once", () => {
    expect(loginWith(() => Buffer.from("signature"))).toEqual([{ signed: "signature" }]);
  });

  // Nothing half-made goes out (an empty ECDSA signature made ssh2 throw): the key is asked about, as ssh2 does.
  it("asks about a key whose signing fails, returned or thrown, instead of sending a signature", () => {
    expect(loginWith(() => new Error("private key too large"))).toEqual([{ query: "ecdsa-sha2-nistp256" }]);
    expect(
      loginWith(() => {
        throw new Error("no such curve");
      }),
    ).toEqual([{ query: "ecdsa-sha2-nistp256" }]);
  });
});

/** ssh2's client as far as the start of the login uses it: the message handlers and the handshake event. */
function clientWithHandlers(): { client: Client; calls: string[]; handlers: Record<string, (p: unknown, ...a: unknown[]) => void>; handshake: () => void } {
  const calls: string[] = [];
  const handlers: Record<string, (p: unknown, ...a: unknown[]) => void> = {
    SERVICE_ACCEPT: (_p, name) => calls.push(`login after ${String(name)}`),
    EXT_INFO: () => calls.push("ext-info read"),
  };
  let onHandshake: (() => void) | undefined;
  const client = { _protocol: { _handlers: handlers }, once: (_e: string, f: () => void) => (onHandshake = f) } as unknown as Client;
  return { client, calls, handlers, handshake: () => onHandshake?.() };
}

describe("authenticateOnExtInfo", () => {
  it("starts the login on the server's EXT_INFO and does not start it again on SERVICE_ACCEPT", () => {
    const { client, calls, handlers, handshake } = clientWithHandlers();
    authenticateOnExtInfo(client);
    handshake();
    handlers.EXT_INFO!({}, []);
    expect(calls).toEqual(["ext-info read", "login after ssh-userauth"]);
    handlers.SERVICE_ACCEPT!({}, "ssh-userauth");
    // OpenSSH sends EXT_INFO again after the login: nothing starts twice.
    handlers.EXT_INFO!({}, []);
    expect(calls).toEqual(["ext-info read", "login after ssh-userauth", "ext-info read"]);
  });

  it("logs in on SERVICE_ACCEPT, as ssh2 does, when no EXT_INFO came first", () => {
    const { client, calls, handlers, handshake } = clientWithHandlers();
    authenticateOnExtInfo(client);
    handshake();
    handlers.SERVICE_ACCEPT!({}, "ssh-userauth");
    handlers.EXT_INFO!({}, []);
    expect(calls).toEqual(["login after ssh-userauth", "ext-info read"]);
  });

  it("waits for the key exchange to end: no login before ssh2 asked for the service", () => {
    const { client, calls, handlers } = clientWithHandlers();
    authenticateOnExtInfo(client);
    handlers.EXT_INFO!({}, []);
    expect(calls).toEqual(["ext-info read"]);
  });

  it("leaves an ssh2 without these handlers as it is", () => {
    const client = { _protocol: {}, once: () => undefined } as unknown as Client;
    expect(() => authenticateOnExtInfo(client)).not.toThrow();
  });
});
