import { describe, expect, it } from "vitest";
import { normaliseHostKey } from "./pinHostKey.js";

/** A public key blob of `type`, as ssh-keygen writes it: the type's SSH string, then key bytes. */
function blob(type: string): string {
  const name = Buffer.from(type, "latin1");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return Buffer.concat([length, name, Buffer.alloc(32, 7)]).toString("base64");
}

describe("normaliseHostKey", () => {
  it("keeps type and blob of a .pub line, dropping the comment", () => {
    expect(normaliseHostKey(`ssh-ed25519 ${blob("ssh-ed25519")} root@web1\n`)).toBe(`ssh-ed25519 ${blob("ssh-ed25519")}`);
  });

  it("refuses what is no public key line: no blob, a blob of another type, not base64", () => {
    expect(normaliseHostKey("ssh-ed25519")).toBeUndefined();
    expect(normaliseHostKey(`ssh-rsa ${blob("ssh-ed25519")}`)).toBeUndefined();
    expect(normaliseHostKey("not a key")).toBeUndefined();
    expect(normaliseHostKey(undefined)).toBeUndefined();
  });
});
