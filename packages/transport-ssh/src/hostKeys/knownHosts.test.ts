import { describe, expect, it } from "vitest";
import { hostKeyTypesToAsk, judgeHostKey, parseKnownHosts } from "./knownHosts.js";

/** A key blob of `type`: its SSH string first, then `fill` bytes standing for the key. */
function blob(type: string, fill: number): Buffer {
  const name = Buffer.from(type, "latin1");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.alloc(32, fill)]);
}

const host = "[192.0.2.7]:2222";
const oldRsa = blob("ssh-rsa", 1);
const oldEd = blob("ssh-ed25519", 2);
const newEd = blob("ssh-ed25519", 3);
// What `ssh-keyscan host >> known_hosts` writes: the RSA line first.
const entries = parseKnownHosts(
  [`${host} ssh-rsa ${oldRsa.toString("base64")}`, `${host} ssh-ed25519 ${oldEd.toString("base64")}`, `other ssh-ecdsa AAAA`].join("\n"),
);

describe("hostKeyTypesToAsk", () => {
  it("asks for the recorded types in known_hosts order when no key is expected", () => {
    expect(hostKeyTypesToAsk(entries, host)).toEqual(["ssh-rsa", "ssh-ed25519"]);
  });

  it("asks for the expected key's type first, so a reinstalled host offers that key", () => {
    expect(hostKeyTypesToAsk(entries, host, newEd)).toEqual(["ssh-ed25519", "ssh-rsa"]);
    expect(judgeHostKey(entries, host, newEd)).toBe("mismatch");
  });

  it("asks for the expected type of a host known_hosts does not name", () => {
    expect(hostKeyTypesToAsk(entries, "[192.0.2.8]:22", newEd)).toEqual(["ssh-ed25519"]);
    expect(hostKeyTypesToAsk(entries, "[192.0.2.8]:22")).toEqual([]);
  });
});
