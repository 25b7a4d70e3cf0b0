import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parsePathInfoJson } from "./parsePathInfoJson.js";
import type { StorePathInfo } from "./StorePathInfo.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");

/**
 * The fixtures hold one 17-path closure in three shapes:
 * - nix-2.8-path-info.json: real `nix path-info --json -r` of Nix 2.8 (array, SRI hashes);
 * - nix-2.19-path-info.json: the object keyed by full store path of Nix 2.19+ (SRI hashes);
 * - nix-json-v2-path-info.json: the newer store object info JSON (keys, references and
 *   deriver as base names, `narHash` as `{ algorithm, format, hash }`, `storeDir`, `version`,
 *   `ca` structured, `deriver: null` where there is none).
 * The last two were derived from the first; nix-2.8-dump-db.txt is the truth all are checked against.
 */
const SHAPES = ["nix-2.8-path-info.json", "nix-2.19-path-info.json", "nix-json-v2-path-info.json"] as const;

/** Reads `nix-store --dump-db` output, independently of the code under test. */
function readDumpDb(text: string): StorePathInfo[] {
  const lines = text.split("\n");
  const out: StorePathInfo[] = [];
  let i = 0;
  while (i < lines.length && lines[i] !== "") {
    const count = Number(lines[i + 4]);
    const deriver = lines[i + 3]!;
    out.push({
      path: lines[i]!,
      narHash: `sha256:${lines[i + 1]!}`,
      narSize: Number(lines[i + 2]),
      deriver: deriver === "" ? undefined : deriver,
      references: lines.slice(i + 5, i + 5 + count),
    });
    i += 5 + count;
  }
  return out;
}

const byPath = (a: StorePathInfo, b: StorePathInfo): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

describe("parsePathInfoJson", () => {
  const truth = readDumpDb(fixture("nix-2.8-dump-db.txt")).sort(byPath);

  it("the dump-db fixture holds the whole closure", () => {
    expect(truth).toHaveLength(17);
  });

  it.each(SHAPES)("reads %s to what nix-store --dump-db says about the same paths", (name) => {
    const infos = parsePathInfoJson(fixture(name))._unsafeUnwrap();
    expect(infos).toHaveLength(17);
    expect([...infos].sort(byPath)).toEqual(truth);
  });

  it("reads all three shapes to the same list, in the order Nix printed them", () => {
    const [a, b, c] = SHAPES.map((name) => parsePathInfoJson(fixture(name))._unsafeUnwrap());
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it("normalises every hash to sha256:<hex> and every path to its full form", () => {
    for (const name of SHAPES) {
      for (const info of parsePathInfoJson(fixture(name))._unsafeUnwrap()) {
        expect(info.narHash).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect(info.path).toMatch(/^\/nix\/store\/[0-9a-z]{32}-/);
        for (const r of info.references) expect(r).toMatch(/^\/nix\/store\/[0-9a-z]{32}-/);
        if (info.deriver !== undefined) expect(info.deriver).toMatch(/^\/nix\/store\/[0-9a-z]{32}-.*\.drv$/);
      }
    }
  });

  it("keeps a self-reference and leaves out a deriver Nix did not know", () => {
    const infos = parsePathInfoJson(fixture("nix-json-v2-path-info.json"))._unsafeUnwrap();
    const toplevel = infos.find((p) => p.path.endsWith("-nixos-system-nixos-via-1"))!;
    expect(toplevel.references).toContain(toplevel.path);
    const kernel = infos.find((p) => p.path.endsWith("-vmlinuz-6.1.0-56-amd64"))!;
    expect(kernel.deriver).toBeUndefined();
    expect(kernel).toEqual({
      path: "/nix/store/4b3r4sjh2j0n9ibpff5v9pb7k9dn8mdv-vmlinuz-6.1.0-56-amd64",
      narHash: "sha256:2f66d74bcbb22c5911da8a4eb91c52ab0b0cdf964758cc854c755df7bd3e4054",
      narSize: 8247344,
      references: [],
      deriver: undefined,
    });
  });

  it("sorts references", () => {
    const text = JSON.stringify([
      {
        path: "/nix/store/00000000000000000000000000000000-a",
        narHash: `sha256:${"0".repeat(64)}`,
        narSize: 1,
        references: ["/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-z", "/nix/store/11111111111111111111111111111111-b"],
      },
    ]);
    expect(parsePathInfoJson(text)._unsafeUnwrap()[0]!.references).toEqual([
      "/nix/store/11111111111111111111111111111111-b",
      "/nix/store/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-z",
    ]);
  });

  it("puts bare names under the store directory it is given", () => {
    const text = JSON.stringify({
      "00000000000000000000000000000000-a": {
        narHash: { algorithm: "sha256", format: "base16", hash: "0".repeat(64) },
        narSize: 0,
        references: ["11111111111111111111111111111111-b"],
        deriver: "22222222222222222222222222222222-a.drv",
      },
    });
    expect(parsePathInfoJson(text, "/gnu/store")._unsafeUnwrap()).toEqual([
      {
        path: "/gnu/store/00000000000000000000000000000000-a",
        narHash: `sha256:${"0".repeat(64)}`,
        narSize: 0,
        references: ["/gnu/store/11111111111111111111111111111111-b"],
        deriver: "/gnu/store/22222222222222222222222222222222-a.drv",
      },
    ]);
  });

  it("reads empty output as an empty closure", () => {
    expect(parsePathInfoJson("[]")._unsafeUnwrap()).toEqual([]);
    expect(parsePathInfoJson("{}")._unsafeUnwrap()).toEqual([]);
  });

  it("treats an empty deriver as none", () => {
    const text = JSON.stringify([
      { path: "/nix/store/00000000000000000000000000000000-a", narHash: `sha256:${"0".repeat(64)}`, narSize: 1, references: [], deriver: "" },
    ]);
    expect(parsePathInfoJson(text)._unsafeUnwrap()[0]!.deriver).toBeUndefined();
  });

  describe("errors", () => {
    const INVALID = "/nix/store/3xfbsfxbm6gs5f3j3j1g6xm1a4mbqwp4-missing";

    it("names a path Nix 2.19+ reported invalid (null value)", () => {
      const text = JSON.stringify({ [INVALID]: null });
      const error = parsePathInfoJson(text)._unsafeUnwrapErr();
      expect(error.code).toBe("CLOSURE_READ");
      expect(error.message).toContain(INVALID);
    });

    it("names a path Nix 2.8 reported invalid ({ path, valid: false })", () => {
      const valid = JSON.parse(fixture("nix-2.8-path-info.json")) as unknown[];
      const text = JSON.stringify([...valid, { path: INVALID, valid: false }]);
      const error = parsePathInfoJson(text)._unsafeUnwrapErr();
      expect(error.code).toBe("CLOSURE_READ");
      expect(error.message).toContain(INVALID);
    });

    it("names an invalid path among valid ones in the object shape", () => {
      const valid = JSON.parse(fixture("nix-2.19-path-info.json")) as Record<string, unknown>;
      const error = parsePathInfoJson(JSON.stringify({ ...valid, [INVALID]: null }))._unsafeUnwrapErr();
      expect(error.message).toContain(INVALID);
    });

    it.each([
      ["not JSON", "error: experimental Nix feature 'nix-command' is disabled"],
      ["truncated JSON", fixture("nix-2.8-path-info.json").slice(0, 200)],
      ["empty output", ""],
      ["a number", "42"],
      ["a string", '"/nix/store/x"'],
      ["null", "null"],
    ])("rejects %s", (_name, text) => {
      const result = parsePathInfoJson(text);
      expect(result.isErr()).toBe(true);
      expect(result._unsafeUnwrapErr().code).toBe("CLOSURE_READ");
    });

    const entry = (over: Record<string, unknown>): string =>
      JSON.stringify([
        {
          path: "/nix/store/00000000000000000000000000000000-a",
          narHash: `sha256:${"0".repeat(64)}`,
          narSize: 1,
          references: [],
          ...over,
        },
      ]);

    it.each([
      ["a negative narSize", { narSize: -1 }],
      ["a fractional narSize", { narSize: 1.5 }],
      ["a narSize given as text", { narSize: "1" }],
      ["a missing narSize", { narSize: undefined }],
      ["a missing narHash", { narHash: undefined }],
      ["an md5 narHash", { narHash: "md5:d41d8cd98f00b204e9800998ecf8427e" }],
      ["references that are not a list", { references: "/nix/store/x" }],
      ["references that are not strings", { references: [1] }],
      ["no path at all", { path: undefined }],
    ])("rejects an entry with %s, naming the path where it has one", (_name, over) => {
      const result = parsePathInfoJson(entry(over));
      expect(result.isErr()).toBe(true);
      const error = result._unsafeUnwrapErr();
      expect(error.code).toBe("CLOSURE_READ");
      if (!("path" in over)) expect(error.message).toContain("/nix/store/00000000000000000000000000000000-a");
    });
  });
});
