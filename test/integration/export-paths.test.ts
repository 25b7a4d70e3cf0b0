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
});
