import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, linkSync, readFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DONE_MARKER_DIR, END_MARKER, markPathBoundaries, STAGED_PATH_CHECK } from "./markPathBoundaries.js";

const work = mkdtempSync(join(tmpdir(), "mark-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Three "store paths": a folder with a long name inside and a hard link into another
// path, a single file, and a symlink; one with a name past tar's 100-byte field.
const store = join(work, "store");
const long = `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-${"x".repeat(120)}`;
const names = ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-dir", "cccccccccccccccccccccccccccccccc-file", long, "dddddddddddddddddddddddddddddddd-link"];
mkdirSync(join(store, names[0]!, "sub"), { recursive: true });
writeFileSync(join(store, names[0]!, "sub", `${"n".repeat(150)}`), "deep\n");
writeFileSync(join(store, names[0]!, "big"), Buffer.alloc(200_000, 7));
writeFileSync(join(store, names[1]!), "a file path\n");
mkdirSync(join(store, long));
linkSync(join(store, names[0]!, "big"), join(store, long, "same-inode"));
symlinkSync(`/nix/store/${names[1]}`, join(store, names[3]!));
// A symlink and a hard link whose targets pass the 100-byte field: GNU long links (`K`).
symlinkSync(`/nix/store/${"y".repeat(140)}`, join(store, long, "far"));
writeFileSync(join(store, long, "odd"), Buffer.alloc(1_234, 9));
linkSync(join(store, long, "odd"), join(store, long, "odd-again"));

// tar stops reading at the end-of-archive blocks; a writer still feeding it then gets
// EPIPE. Reading past them (the marked stream ends in zeros anyway) keeps listings stable.
const READ_ALL = ["--ignore-zeros"];

const tarOf = (list: string[]): Buffer =>
  execFileSync("tar", ["-c", "-f", "-", "--format=gnu", "-C", store, "--null", "-T", "-"], {
    input: list.map((n) => `${n}\0`).join(""),
    maxBuffer: 64 * 1024 * 1024,
  });

async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield bytes.subarray(offset, offset + n);
    offset += n;
  }
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream) parts.push(c);
  return Buffer.concat(parts);
}

function extract(bytes: Buffer, name: string): string {
  const out = join(work, name);
  mkdirSync(out);
  execFileSync("tar", ["-x", "-f", "-", ...READ_ALL, "-C", out], { input: bytes });
  return out;
}

describe("markPathBoundaries", () => {
  for (const sizes of [[1 << 20], [1], [511, 513, 7], [4096, 100_000]]) {
    it(`marks each path after its last member and the end, whatever the chunking (${sizes.join(",")})`, async () => {
      const marked = await collect(markPathBoundaries(chunked(tarOf(names), sizes)));
      const out = extract(marked, `out-${sizes.join("-")}`);
      expect(readdirSync(join(out, DONE_MARKER_DIR)).sort()).toEqual([...names].sort());
      expect(existsSync(join(out, END_MARKER))).toBe(true);
      expect(readFileSync(join(out, names[0]!, "sub", "n".repeat(150)), "utf8")).toBe("deep\n");
      expect(statSync(join(out, long, "same-inode")).ino).toBe(statSync(join(out, names[0]!, "big")).ino);
      execFileSync("diff", ["-r", "--no-dereference", join(store, names[1]!), join(out, names[1]!)]);
      // Each marker's manifest is what the receiver computes from the path on disk (the hard
      // link into another path and the symlink included), so a complete path is trusted.
      const check = `${STAGED_PATH_CHECK}\nfor n in "$@"; do staged_ok "$0" "$n" || echo "$n: $(cat "$0/.done/$n") != $(path_manifest "$0/$n")"; done`;
      expect(execFileSync("dash", ["-c", check, out, ...names], { encoding: "utf8" })).toBe("");
    });
  }

  // Data goes out as views of the incoming chunks, headers that straddle chunks are
  // assembled: whatever the chunking, the bytes out are the same. Inputs: the whole tar, one
  // with a tail shorter than a block after it, and tars cut inside a header, inside a long
  // name, inside file data, inside a long link and in the end blocks.
  it("puts out the same bytes for every chunking of the same input", async () => {
    const plain = tarOf(names);
    const inputs = [plain, Buffer.concat([plain, Buffer.alloc(300, 0x41)]), ...[700, 1_800, 3_000, 150_001, 211_000, 211_600, 216_600].map((n) => plain.subarray(0, n))];
    const random = seeded(12);
    for (const input of inputs) {
      const whole = await collect(markPathBoundaries(chunked(input, [input.length])));
      const chunkings = [[1], [511], [513], [511, 513], [512, 1, 1023], ...Array.from({ length: 6 }, () => Array.from({ length: 50 }, () => 1 + Math.floor(random() * (random() < 0.5 ? 1_100 : 70_000))))];
      for (const sizes of chunkings) expect((await collect(markPathBoundaries(chunked(input, sizes)))).equals(whole), `chunks ${sizes.slice(0, 5).join(",")}… of ${input.length} bytes`).toBe(true);
    }
  });

  it("passes a chunk on as views of it, in as many parts as the markers cut it into", async () => {
    const plain = tarOf(names);
    const parts: Uint8Array[] = [];
    for await (const part of markPathBoundaries(chunked(plain, [plain.length]))) parts.push(part);
    const markers = names.length + 1;
    expect(parts.length).toBeLessThanOrEqual(2 * markers + 1);
    expect(parts.filter((p) => p.buffer === plain.buffer).length).toBe(parts.length - markers);
  });

  it("leaves the stream untouched apart from the markers", async () => {
    const plain = tarOf(names);
    const marked = await collect(markPathBoundaries(chunked(plain, [777])));
    const list = (b: Buffer) => execFileSync("tar", ["-t", "-f", "-", ...READ_ALL], { input: b }).toString().split("\n").filter(Boolean);
    const members = list(marked);
    expect(members.filter((m) => !m.startsWith(`${DONE_MARKER_DIR}/`) && m !== END_MARKER)).toEqual(list(plain));
    // Each path's marker comes right after that path's members.
    for (const name of names) {
      const lastOwn = members.map((m, i) => (m === name || m.startsWith(`${name}/`) ? i : -1)).reduce((a, b) => Math.max(a, b));
      expect(members[lastOwn + 1]).toBe(`${DONE_MARKER_DIR}/${name}`);
    }
    expect(members.at(-1)).toBe(END_MARKER);
  });

  it("a stream cut short has markers only for the complete paths and no end marker", async () => {
    const marked = await collect(markPathBoundaries(chunked(tarOf(names), [4096])));
    const members = execFileSync("tar", ["-t", "-f", "-", ...READ_ALL], { input: marked }).toString().split("\n");
    const firstMarker = members.findIndex((m) => m.startsWith(`${DONE_MARKER_DIR}/`));
    const cutAt = Math.floor(marked.length * 0.5);
    const out = join(work, "cut");
    mkdirSync(out);
    try {
      execFileSync("tar", ["-x", "-f", "-", "-C", out], { input: marked.subarray(0, cutAt), stdio: ["pipe", "ignore", "ignore"] });
    } catch {
      // tar may or may not complain about a cut stream: the end marker is what tells
    }
    expect(firstMarker).toBeGreaterThan(0);
    expect(existsSync(join(out, END_MARKER))).toBe(false);
    const done = existsSync(join(out, DONE_MARKER_DIR)) ? readdirSync(join(out, DONE_MARKER_DIR)) : [];
    expect(done.length).toBeLessThan(names.length);
    for (const name of done) expect(existsSync(join(out, name))).toBe(true);
  });
});

/** A repeatable random number generator (mulberry32): the same chunkings every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
