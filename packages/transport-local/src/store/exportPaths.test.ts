import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { END_MARKER, markPathBoundaries } from "@nixos-via/core";
import { exportPaths, fitWindowLog, keepsOneLevel } from "./exportPaths.js";

const store = mkdtempSync(join(tmpdir(), "export-paths-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

// Big enough that tar's stdout arrives in many chunks, small ones (tar writes 10 KiB
// records) among them, and that the tail held back until tar's exit is a part of it.
const names = ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-big", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-small"];
mkdirSync(join(store, names[0]!, "lib"), { recursive: true });
for (let i = 0; i < 40; i++) writeFileSync(join(store, names[0]!, "lib", `f${i}`), Buffer.alloc(25_000 + i * 777, i));
writeFileSync(join(store, names[1]!), "small\n");

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

describe("exportPaths", () => {
  it("streams tar's bytes with the markers, the held-back tail included", async () => {
    const tar = execFileSync("tar", ["-c", "-f", "-", "--format=gnu", "--numeric-owner", "--owner=0", "--group=0", "-C", store, "--null", "-T", "-"], {
      input: names.map((n) => `${n}\0`).join(""),
      maxBuffer: 64 * 1024 * 1024,
    });
    const expected = await collect(markPathBoundaries((async function* () { yield tar; })()));
    const out = exportPaths(store, names.map((n) => join(store, n)));
    const streamed = await collect(out.stream);
    expect((await out.done).isOk()).toBe(true);
    expect(streamed.equals(expected)).toBe(true);
    expect(out.tarBytes()).toBe(tar.length);
  });

  it("a tar that failed ends the stream with an error, before the end marker", async () => {
    const out = exportPaths(store, [...names, "cccccccccccccccccccccccccccccccc-missing"].map((n) => join(store, n)));
    const parts: Uint8Array[] = [];
    await expect(
      (async () => {
        for await (const c of out.stream) parts.push(c);
      })(),
    ).rejects.toThrow(/tar could not read the store paths/);
    expect(Buffer.concat(parts).includes(Buffer.from(`${END_MARKER}\0`))).toBe(false);
    expect((await out.done).isErr()).toBe(true);
  });
});

describe("fitWindowLog", () => {
  const GiB = 2 ** 30;
  it("keeps the planned window where zstd fits a quarter of this machine's free memory, and narrows it where not", () => {
    expect(fitWindowLog(29, 8 * GiB)).toBe(29);
    expect(fitWindowLog(29, 2.6 * GiB)).toBe(29);
    expect(fitWindowLog(29, 2.5 * GiB)).toBe(28);
    expect(fitWindowLog(27, 8 * GiB)).toBe(27);
    expect(fitWindowLog(29, 704 * 2 ** 20)).toBe(27);
    expect(fitWindowLog(29, 703 * 2 ** 20)).toBe(26);
    // Never below 16 MiB, however little is free.
    expect(fitWindowLog(29, 0)).toBe(24);
  });
});

describe("keepsOneLevel", () => {
  it("keeps one zstd level from a 256 MiB window on, and gzip always; narrower zstd windows may change level", () => {
    expect(keepsOneLevel("zstd", 29)).toBe(true);
    expect(keepsOneLevel("zstd", 28)).toBe(true);
    expect(keepsOneLevel("zstd", 27)).toBe(false);
    expect(keepsOneLevel("zstd", undefined)).toBe(false);
    expect(keepsOneLevel("gzip", undefined)).toBe(true);
  });
});
