import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { exportPaths } from "@nixos-via/transport-local";
import { buildMiniSystem, closureOf } from "../support/nix.js";

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

// The copy engine's source: what it streams must not depend on when the reader starts.
describe("exportPaths", () => {
  for (const compression of ["none", "gzip", "zstd"] as const) {
    it(`keeps every byte for a reader that starts after tar and the compressor exited (${compression})`, async () => {
      const gen = await buildMiniSystem({ generation: "2" });
      const small = (await closureOf(gen)).filter((p) => p.includes("motd-generation") || p.endsWith("-etc"));
      const exported = exportPaths("/nix/store", small, { compression });
      // Long enough for both processes to finish, as a slow SSH channel open would be.
      await new Promise((r) => setTimeout(r, 1500));
      const bytes = await readAll(exported.stream);
      expect((await exported.done).isOk()).toBe(true);
      const tar = compression === "none" ? bytes : (await execa(compression, ["-dc"], { input: bytes, encoding: "buffer" })).stdout;
      const members = (await execa("tar", ["-t", "-f", "-"], { input: tar })).stdout.split("\n");
      for (const p of small) {
        const name = p.slice("/nix/store/".length);
        expect(members.some((m) => m === name || m.startsWith(`${name}/`))).toBe(true);
      }
      expect(members.at(-1)).toBe(".end");
    });
  }

  it("compresses with the window it is given, which a plain zstd -d reads", async () => {
    const gen = await buildMiniSystem({ generation: "2" });
    const small = (await closureOf(gen)).filter((p) => p.endsWith("-etc"));
    const windowOf = async (windowLog: number | undefined): Promise<number> => {
      const exported = exportPaths("/nix/store", small, { compression: "zstd", ...(windowLog === undefined ? {} : { windowLog }) });
      const bytes = await readAll(exported.stream);
      expect((await exported.done).isOk()).toBe(true);
      expect((await execa("zstd", ["-dc"], { input: bytes, encoding: "buffer" })).stdout.length).toBeGreaterThan(0);
      // The frame header holds the window (zstd -lv on a file: stdin cannot be listed).
      const file = join(mkdtempSync(join(tmpdir(), "nixos-via-window-")), "s.zst");
      writeFileSync(file, bytes);
      return Number(/Window Size: .*\((\d+) B\)/.exec((await execa("zstd", ["-lv", file])).stdout)?.[1]);
    };
    expect(await windowOf(26)).toBe(2 ** 26);
    expect(await windowOf(undefined)).toBe(2 ** 24);
  });

  // The receiver promotes (and a command folded after it registers) only what a stream
  // ending in .end brought: a tar that skipped a path must not end its stream so.
  for (const compression of ["none", "zstd"] as const) {
    it(`ends the stream without its end marker when tar could not read a path (${compression})`, async () => {
      const store = mkdtempSync(join(tmpdir(), "nextgen-export-"));
      try {
        mkdirSync(join(store, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-there"));
        writeFileSync(join(store, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-there", "file"), "x\n");
        const paths = [`${store}/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-there`, `${store}/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-gone`];
        const exported = exportPaths(store, paths, { compression });
        const bytes = await readAll(exported.stream).catch(() => Buffer.alloc(0));
        expect((await exported.done).isErr()).toBe(true);
        const tar = compression === "none" || bytes.length === 0 ? bytes : (await execa("zstd", ["-dc"], { input: bytes, encoding: "buffer" })).stdout;
        const members = (await execa("tar", ["-t", "-f", "-"], { input: tar, reject: false })).stdout.split("\n");
        expect(members).not.toContain(".end");
      } finally {
        rmSync(store, { recursive: true, force: true });
      }
    });
  }
});
