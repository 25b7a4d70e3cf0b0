import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deltaMembers, type DeltaCounts } from "./exportDeltas.js";

const store = mkdtempSync(join(tmpdir(), "export-deltas-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const OLD = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-pkg";
const NEW = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-pkg";
// Bigger than one compare chunk (1 MiB), so equality is decided over several reads, and
// than the largest file sent as a zstd delta (16 MiB), so a changed one goes in full.
const big = Buffer.alloc(17_000_000, 7);
const bigChangedAtTheEnd = Buffer.from(big);
bigChangedAtTheEnd[bigChangedAtTheEnd.length - 1] = 8;

function write(path: string, files: Record<string, Buffer | string>): void {
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(join(store, path, rel, ".."), { recursive: true });
    writeFileSync(join(store, path, rel), bytes);
  }
}
write(OLD, { "small-same": "x", empty: "", "lib/big-same": big, "lib/big-end-differs": big, "nix-support/self": `/nix/store/${OLD}\n` });
write(NEW, { "small-same": "x", empty: "", "lib/big-same": big, "lib/big-end-differs": bigChangedAtTheEnd, "nix-support/self": `/nix/store/${NEW}\n`, "only-new": "new\n" });

/**
 * Streams NEW as a delta against OLD and extracts it as receive.sh does, into a staging
 * folder beside the predecessor; the result must equal NEW. Returns what went how.
 */
async function receiveDelta(newPath: string, oldPath: string, incoming: string): Promise<DeltaCounts> {
  const counts: DeltaCounts = { linked: 0, patched: 0, full: 0 };
  const parts: Uint8Array[] = [];
  for await (const part of deltaMembers(store, [{ path: join(store, newPath), from: join(store, oldPath) }], counts)) parts.push(part);
  mkdirSync(join(store, incoming));
  execFileSync("tar", ["-x", "-P", "-f", "-", "-C", join(store, incoming)], { input: Buffer.concat([...parts, new Uint8Array(1024)]) });
  execFileSync("diff", ["-r", join(store, newPath), join(store, incoming, newPath)]);
  return counts;
}

describe("deltaMembers", () => {
  it("links every file equal to the predecessor's, small and empty ones too, and sends the rest so the receiver's tar rebuilds the path", async () => {
    expect(await receiveDelta(NEW, OLD, "incoming")).toEqual({ linked: 3, patched: 0, full: 3 });
    const incoming = join(store, "incoming");
    const inode = (path: string) => statSync(path).ino;
    expect(inode(join(incoming, NEW, "small-same"))).toBe(inode(join(store, OLD, "small-same")));
    expect(inode(join(incoming, NEW, "lib/big-same"))).toBe(inode(join(store, OLD, "lib/big-same")));
    expect(inode(join(incoming, NEW, "lib/big-end-differs"))).not.toBe(inode(join(store, OLD, "lib/big-end-differs")));
    expect(readFileSync(join(incoming, ".done", NEW), "utf8")).toBe(`files=6 bytes=${2 * big.length + 1 + 4 + NEW.length + 12} links=0 dirs=3\n`);
  });

  it("sends a file in full where the predecessor has a file in place of its folder", async () => {
    const before = "cccccccccccccccccccccccccccccccc-moved";
    const after = "dddddddddddddddddddddddddddddddd-moved";
    write(before, { "share/x": "was a file\n" });
    write(after, { "share/x/y": "now in a folder\n" });
    expect(await receiveDelta(after, before, "incoming-moved")).toEqual({ linked: 0, patched: 0, full: 1 });
  });
});
