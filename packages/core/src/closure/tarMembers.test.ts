import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BLOCK, MODE_FILE, memberHeaderSize, tarEnd, writeMemberHeader } from "./tarMembers.js";

/** The size a header says, read as tar reads it: octal digits up to a NUL or the field's end. */
const sizeField = (h: Uint8Array): number => parseInt(new TextDecoder().decode(h.subarray(124, 136)).replace(/\0.*$/s, ""), 8);

describe("writeMemberHeader", () => {
  it("writes a header GNU tar lists with its name and size", () => {
    const data = new TextEncoder().encode("hello\n");
    const out = new Uint8Array(memberHeaderSize("p/hello") + BLOCK);
    const at = writeMemberHeader(out, 0, "p/hello", "0", data.length, MODE_FILE);
    out.set(data, at);
    const listing = execFileSync("tar", ["-tvf", "-"], { input: Buffer.concat([out, tarEnd()]), encoding: "utf8" });
    expect(listing).toMatch(/^-r--r--r-- root\/root +6 .* p\/hello\n$/);
  });

  it("keeps every digit of a size of 8 GiB and more, and refuses one the field cannot hold", () => {
    const out = new Uint8Array(BLOCK);
    writeMemberHeader(out, 0, "p/big", "0", 9 * 2 ** 30, MODE_FILE);
    expect(sizeField(out)).toBe(9 * 2 ** 30);
    writeMemberHeader(out.fill(0), 0, "p/small", "0", 4096, MODE_FILE);
    expect(sizeField(out)).toBe(4096);
    expect(() => writeMemberHeader(new Uint8Array(BLOCK), 0, "p/huge", "0", 2 ** 36, MODE_FILE)).toThrow(/too big for a tar header/);
  });
});
