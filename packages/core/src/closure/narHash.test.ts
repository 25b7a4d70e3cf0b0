import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normaliseNarHash } from "./narHash.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");

// sha256("") in every encoding Nix has printed.
const EMPTY_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const EMPTY_NIX32 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
const EMPTY_BASE64 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const NORMAL = `sha256:${EMPTY_HEX}`;

/** Nix's base32 encoder (libutil/hash.cc printHash32), written independently of the decoder under test. */
function toNix32(bytes: Uint8Array): string {
  const alphabet = "0123456789abcdfghijklmnpqrsvwxyz";
  const len = Math.ceil((bytes.length * 8) / 5);
  let s = "";
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = Math.floor(b / 8);
    const j = b % 8;
    const c = ((bytes[i] ?? 0) >> j) | (i + 1 < bytes.length ? (bytes[i + 1] ?? 0) << (8 - j) : 0);
    s += alphabet[c & 0x1f];
  }
  return s;
}

describe("normaliseNarHash", () => {
  it.each([
    ["SRI", `sha256-${EMPTY_BASE64}`],
    ["sha256:<hex>", `sha256:${EMPTY_HEX}`],
    ["sha256:<HEX> (upper case)", `sha256:${EMPTY_HEX.toUpperCase()}`],
    ["sha256:<nix32>", `sha256:${EMPTY_NIX32}`],
    ["sha256:<base64>", `sha256:${EMPTY_BASE64}`],
  ])("reads %s", (_name, input) => {
    expect(normaliseNarHash(input)._unsafeUnwrap()).toBe(NORMAL);
  });

  it.each([
    ["base64", EMPTY_BASE64],
    ["nix32", EMPTY_NIX32],
    ["base16", EMPTY_HEX],
  ])("reads the structured form with format %s", (format, hash) => {
    expect(normaliseNarHash({ algorithm: "sha256", format, hash })._unsafeUnwrap()).toBe(NORMAL);
  });

  it("the independent encoder agrees with Nix on the empty string", () => {
    // Guards the cross-check below: if the helper were wrong, the round trip would prove nothing.
    expect(toNix32(createHash("sha256").update("").digest())).toBe(EMPTY_NIX32);
  });

  it("decodes every hash of a real Nix 2.8 closure to the hex that nix-store --dump-db printed", () => {
    const infos = JSON.parse(fixture("nix-2.8-path-info.json")) as { path: string; narHash: string }[];
    const dump = fixture("nix-2.8-dump-db.txt").split("\n");
    const dumped = new Map<string, string>();
    for (let i = 0; i < dump.length; ) {
      const path = dump[i];
      if (path === undefined || path === "") break;
      dumped.set(path, dump[i + 1]!);
      const refs = Number(dump[i + 4]);
      i += 5 + refs;
    }
    expect(dumped.size).toBe(17);
    expect(infos).toHaveLength(17);
    for (const info of infos) {
      const hex = dumped.get(info.path);
      expect(hex, info.path).toMatch(/^[0-9a-f]{64}$/);
      const bytes = Buffer.from(hex!, "hex");
      // Nix 2.8 printed SRI; the same digest in every other encoding must agree.
      expect(normaliseNarHash(info.narHash)._unsafeUnwrap()).toBe(`sha256:${hex}`);
      expect(normaliseNarHash(`sha256:${toNix32(bytes)}`)._unsafeUnwrap()).toBe(`sha256:${hex}`);
      expect(normaliseNarHash(`sha256:${bytes.toString("base64")}`)._unsafeUnwrap()).toBe(`sha256:${hex}`);
      expect(
        normaliseNarHash({ algorithm: "sha256", format: "base16", hash: hex })._unsafeUnwrap(),
      ).toBe(`sha256:${hex}`);
    }
  });

  it("round-trips random digests through nix32", () => {
    for (let seed = 0; seed < 200; seed++) {
      const bytes = createHash("sha256").update(String(seed)).digest();
      expect(normaliseNarHash(`sha256:${toNix32(bytes)}`)._unsafeUnwrap()).toBe(`sha256:${bytes.toString("hex")}`);
    }
  });

  describe("rejects", () => {
    it.each([
      ["md5", "md5:d41d8cd98f00b204e9800998ecf8427e"],
      ["sha512 SRI", `sha512-${createHash("sha512").update("").digest("base64")}`],
      ["sha1", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709"],
      ["no algorithm", EMPTY_HEX],
      ["hex one digit short", `sha256:${EMPTY_HEX.slice(1)}`],
      ["hex one digit long", `sha256:${EMPTY_HEX}0`],
      ["nix32 one digit short", `sha256:${EMPTY_NIX32.slice(1)}`],
      ["base64 without padding", `sha256-${EMPTY_BASE64.slice(0, -1)}`],
      ["hex with a non-hex digit", `sha256:${EMPTY_HEX.slice(0, -1)}g`],
      ["nix32 with a letter Nix never prints (e)", `sha256:${EMPTY_NIX32.slice(0, -1)}e`],
      ["nix32 with a letter Nix never prints (u)", `sha256:u${EMPTY_NIX32.slice(1)}`],
      ["nix32 whose value overflows 256 bits", `sha256:z${EMPTY_NIX32.slice(1)}`],
      ["base64 with a character outside the alphabet", `sha256-${EMPTY_BASE64.slice(0, -2)}!=`],
      ["empty digest", "sha256:"],
      ["empty string", ""],
    ])("%s", (_name, input) => {
      const result = normaliseNarHash(input);
      expect(result.isErr()).toBe(true);
      expect(result._unsafeUnwrapErr().code).toBe("CLOSURE_READ");
    });

    it.each([
      ["a number", 42],
      ["null", null],
      ["undefined", undefined],
      ["an array", [EMPTY_HEX]],
      ["a structured md5", { algorithm: "md5", format: "base16", hash: "d41d8cd98f00b204e9800998ecf8427e" }],
      ["a structured hash without a digest", { algorithm: "sha256", format: "base16" }],
      ["a structured hash with a numeric digest", { algorithm: "sha256", format: "base16", hash: 1 }],
      ["a structured hash of the wrong length", { algorithm: "sha256", format: "base16", hash: "abcd" }],
    ])("%s", (_name, input) => {
      const result = normaliseNarHash(input);
      expect(result.isErr()).toBe(true);
      expect(result._unsafeUnwrapErr().code).toBe("CLOSURE_READ");
    });

    it("names the hash it could not read", () => {
      expect(normaliseNarHash("md5:d41d8cd98f00b204e9800998ecf8427e")._unsafeUnwrapErr().message).toContain(
        "md5:d41d8cd98f00b204e9800998ecf8427e",
      );
    });
  });
});
