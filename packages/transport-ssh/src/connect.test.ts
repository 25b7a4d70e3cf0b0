import type { Client } from "ssh2";
import { describe, expect, it } from "vitest";
import { signKeyFilesAtOnce } from "./connect.js";

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
