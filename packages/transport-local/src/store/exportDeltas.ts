import { createHash } from "node:crypto";
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import {
  DONE_MARKER_DIR,
  formatManifest,
  memberHeaderSize,
  MODE_EXECUTABLE,
  MODE_FILE,
  padTo,
  writeMemberHeader,
  type DeltaPath,
  type PathManifest,
} from "@nixos-via/core";

/**
 * Every file equal to the predecessor's becomes a hard link to it, the small ones too: a
 * link costs the target a directory entry, a file sent in full an inode (the benchmark's
 * target: 19 µs per link, 216 µs per created file; 4 600 of the mass rebuild's 16 700 files
 * are under 512 bytes).
 *
 * Files that differ go as zstd deltas between these sizes: below, sending them costs less
 * than a delta's overhead; above, the receiver's `zstd -d --patch-from` would hold both
 * old file and window in memory (the target stays under 128 MiB), so they go in full.
 */
const PATCH_MIN = 4096;
const PATCH_MAX = 16 * 1024 * 1024;
/** Delta level: the fast one; a file with nothing in common costs a whole compression before it goes in full. */
const PATCH_LEVEL = "-3";
/**
 * Members are handed on in batches of this size, written in place: the mass rebuild of the
 * benchmark is ~25 000 members (9 000 folders, 17 000 files) for 1.4 MiB on the wire, so
 * what each member costs on this machine's CPU is the copy's time. The files are read
 * synchronously (through libuv's thread pool the same reads took 26 s, mostly waiting),
 * straight into the batch, and compared with the predecessor's in chunks read into one
 * reused buffer: no buffer per file, per header or per field (a buffer per field and
 * `readFileSync` of both files cost 3.6 s of CPU; docs/performance.md).
 */
const BATCH = 1 << 20;
const COMPARE_CHUNK = 1 << 20;

/** Counts of what a delta export did, for tests and the benchmark. */
export interface DeltaCounts {
  linked: number;
  patched: number;
  full: number;
}

/**
 * The tar members of store paths sent as deltas (the receiver is `receive.sh` of core):
 * for each path its folders and symlinks; each regular file either as a hard link
 * `../<predecessor>/<same file>` when its bytes and mode equal the predecessor's (on this
 * machine), or as a zstd `--patch-from` delta against the predecessor's file under
 * `.patch/<name>.d/N` with its SHA-256 in `.patch/<name>.list` (the receiver rebuilds it
 * with its own zstd and checks the hash), or in full; then the path's `.done/<name>`
 * marker with the manifest of the whole path as it will be. Names are relative to the
 * receiver's staging folder in the target's store.
 *
 * @example
 * ```ts
 * for await (const member of deltaMembers("/nix/store", [{ path, from }])) compressor.write(member);
 * ```
 */
export async function* deltaMembers(storeDir: string, deltas: readonly DeltaPath[], counts: DeltaCounts = { linked: 0, patched: 0, full: 0 }): AsyncGenerator<Uint8Array> {
  const out = createBatches();
  for (const delta of deltas) {
    // The walk is synchronous; it stops only for a zstd run, whose result it gets back.
    const walk = pathMembers(out, storeDir, delta, counts);
    for (let step = walk.next(); !step.done; ) {
      const patch = await execa("zstd", ["-q", "-c", PATCH_LEVEL, `--patch-from=${step.value.oldPath}`, step.value.source], { encoding: "buffer", reject: false });
      step = walk.next(patch.exitCode === 0 ? patch.stdout : undefined);
    }
    yield* out.take();
  }
  yield* out.take(true);
}

/** Growing batches of tar bytes: members are written in place, whole batches taken. */
interface Batches {
  /** Room for `size` bytes (zeroed) at `buffer[at]`; the member ends at `at + size` once {@link commit}ted. */
  reserve(size: number): { buffer: Uint8Array; at: number };
  commit(end: number): void;
  take(all?: boolean): Uint8Array[];
}

function createBatches(): Batches {
  let buffer = new Uint8Array(BATCH);
  let used = 0;
  const ready: Uint8Array[] = [];
  return {
    reserve(size) {
      if (used + size > buffer.length) {
        if (used > 0) ready.push(buffer.subarray(0, used));
        buffer = new Uint8Array(Math.max(BATCH, size));
        used = 0;
      }
      return { buffer, at: used };
    },
    commit(end) {
      used = end;
    },
    take(all = false) {
      // A batch grown for one big file is handed on at once, not filled further.
      if ((all || buffer.length > BATCH) && used > 0) {
        ready.push(buffer.subarray(0, used));
        buffer = new Uint8Array(BATCH);
        used = 0;
      }
      return ready.splice(0);
    },
  };
}

/** A zstd delta the walk asks for: the predecessor's file and the new one. */
interface PatchRequest {
  readonly oldPath: string;
  readonly source: string;
}

/** Writes the members of one path sent as a delta, ending with its `.done` marker. */
function* pathMembers(out: Batches, storeDir: string, { path, from }: DeltaPath, counts: DeltaCounts): Generator<PatchRequest, void, Uint8Array | undefined> {
  const name = path.slice(storeDir.length + 1);
  const predecessor = from.slice(storeDir.length + 1);
  const manifest: PathManifest = { files: 0, bytes: 0, links: 0, dirs: 0 };
  const patches: string[] = [];
  const scratch = { buffer: new Uint8Array(0) };
  const top = lstatSync(path);
  // Depth first, folders before their contents, as tar extracts them.
  const pending: { rel: string; kind: "dir" | "link" | "file" | "other" }[] = [{ rel: "", kind: top.isDirectory() ? "dir" : top.isSymbolicLink() ? "link" : top.isFile() ? "file" : "other" }];
  while (pending.length > 0) {
    const { rel, kind } = pending.pop()!;
    const source = rel === "" ? path : join(path, rel);
    const member = rel === "" ? name : `${name}/${rel}`;
    if (kind === "dir") {
      manifest.dirs++;
      header(out, `${member}/`, "5", MODE_EXECUTABLE);
      const children = readdirSync(source, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      for (const c of children) {
        pending.push({ rel: rel === "" ? c.name : `${rel}/${c.name}`, kind: c.isDirectory() ? "dir" : c.isSymbolicLink() ? "link" : c.isFile() ? "file" : "other" });
      }
    } else if (kind === "link") {
      manifest.links++;
      header(out, member, "2", "0000777", readlinkSync(source));
    } else if (kind === "file") {
      const request = fileMember(out, { source, member, rel, from, predecessor, name, patches, counts, manifest, scratch });
      if (request !== undefined) {
        const patch = yield request.ask;
        request.finish(patch);
      }
    } else throw new Error(`${source} is neither a file, a folder nor a symlink: a store path holds nothing else`);
  }
  if (patches.length > 0) small(out, `.patch/${name}.list`, `${patches.join("\n")}\n`);
  small(out, `${DONE_MARKER_DIR}/${name}`, formatManifest(manifest));
}

function header(out: Batches, member: string, type: string, mode: string, link = ""): void {
  const { buffer, at } = out.reserve(memberHeaderSize(member, link));
  out.commit(writeMemberHeader(buffer, at, member, type, 0, mode, link));
}

function small(out: Batches, member: string, text: string): void {
  const bytes = new TextEncoder().encode(text);
  const { buffer, at } = out.reserve(memberHeaderSize(member) + padTo(bytes.length));
  const data = writeMemberHeader(buffer, at, member, "0", bytes.length, MODE_FILE);
  buffer.set(bytes, data);
  out.commit(data + padTo(bytes.length));
}

interface FileContext {
  readonly source: string;
  readonly member: string;
  readonly rel: string;
  readonly from: string;
  readonly predecessor: string;
  readonly name: string;
  readonly patches: string[];
  readonly counts: DeltaCounts;
  readonly manifest: PathManifest;
  readonly scratch: { buffer: Uint8Array };
}

/**
 * A regular file: a hard link to the predecessor's equal file, a delta against its changed
 * one, or in full. The file is read into the batch where its data would go; a link or a
 * delta takes that place back. Returns a zstd run to ask for, when a delta may pay.
 */
function fileMember(out: Batches, c: FileContext): { ask: PatchRequest; finish: (patch: Uint8Array | undefined) => void } | undefined {
  const fd = openSync(c.source, "r");
  let st: Stats;
  let size: number;
  let slot: { buffer: Uint8Array; at: number };
  let data: number;
  const executable = () => (st.mode & 0o100) !== 0;
  try {
    st = fstatSync(fd);
    size = st.size;
    slot = out.reserve(memberHeaderSize(c.member) + padTo(size));
    data = writeMemberHeader(slot.buffer, slot.at, c.member, "0", size, executable() ? MODE_EXECUTABLE : MODE_FILE);
    readFully(fd, slot.buffer, data, size, c.source);
  } finally {
    closeSync(fd);
  }
  c.manifest.files++;
  c.manifest.bytes += size;
  const bytes = slot.buffer.subarray(data, data + size);
  const full = () => {
    c.counts.full++;
    out.commit(data + padTo(size));
  };
  const oldPath = join(c.from, c.rel);
  const old = c.rel === "" || c.rel.includes("\n") ? undefined : lstatOrNothing(oldPath);
  if (old?.isFile() !== true) return void full();
  if (old.size === size && ((old.mode & 0o100) !== 0) === executable() && (sameFile(st, old) || equalsFile(bytes, oldPath, c.scratch))) {
    c.counts.linked++;
    slot.buffer.fill(0, slot.at, data + padTo(size));
    header(out, c.member, "1", MODE_FILE, `../${c.predecessor}/${c.rel}`);
    return undefined;
  }
  if (!(size >= PATCH_MIN && size <= PATCH_MAX && old.size >= PATCH_MIN && old.size <= PATCH_MAX)) return void full();
  const oldBytes = readInto(oldPath, old.size, c.scratch);
  if (!related(bytes, oldBytes)) return void full();
  return {
    ask: { oldPath, source: c.source },
    finish: (patch) => {
      if (patch === undefined || patch.length >= size / 2) return full();
      c.counts.patched++;
      const n = c.patches.length / 3;
      c.patches.push(`${n} ${executable() ? "x" : "-"} ${createHash("sha256").update(bytes).digest("hex")}`, `${c.predecessor}/${c.rel}`, c.rel);
      slot.buffer.fill(0, slot.at, data + padTo(size));
      const member = `.patch/${c.name}.d/${n}`;
      const at = out.reserve(memberHeaderSize(member) + padTo(patch.length));
      const patchData = writeMemberHeader(at.buffer, at.at, member, "0", patch.length, MODE_FILE);
      at.buffer.set(patch, patchData);
      out.commit(patchData + padTo(patch.length));
    },
  };
}

/** The same inode (an optimised store links equal files): equal without reading them. */
function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

function readFully(fd: number, buffer: Uint8Array, at: number, size: number, path: string): void {
  for (let done = 0; done < size; ) {
    const n = readSync(fd, buffer, at + done, size - done, done);
    if (n === 0) throw new Error(`${path} got shorter while it was read: the store changed under the copy`);
    done += n;
  }
}

/** Whether the file at `path` holds exactly `bytes` (its size is known to be theirs), read in chunks. */
function equalsFile(bytes: Uint8Array, path: string, scratch: { buffer: Uint8Array }): boolean {
  if (scratch.buffer.length < Math.min(bytes.length, COMPARE_CHUNK)) scratch.buffer = new Uint8Array(Math.max(Math.min(bytes.length, COMPARE_CHUNK), 64 * 1024));
  const fd = openSync(path, "r");
  try {
    for (let done = 0; done < bytes.length; ) {
      const n = readSync(fd, scratch.buffer, 0, Math.min(scratch.buffer.length, bytes.length - done), done);
      if (n === 0) return false;
      if (Buffer.compare(scratch.buffer.subarray(0, n), bytes.subarray(done, done + n)) !== 0) return false;
      done += n;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

function readInto(path: string, size: number, scratch: { buffer: Uint8Array }): Uint8Array {
  if (scratch.buffer.length < size) scratch.buffer = new Uint8Array(size);
  const fd = openSync(path, "r");
  try {
    readFully(fd, scratch.buffer, 0, size, path);
  } finally {
    closeSync(fd);
  }
  return scratch.buffer.subarray(0, size);
}

/**
 * Whether a delta can pay: some of a few samples of the new file occur in the old one. A
 * file with new bytes throughout (nothing in common) would cost a whole zstd run before
 * going in full anyway.
 */
function related(bytes: Uint8Array, old: Uint8Array): boolean {
  const SAMPLES = 8;
  const WIDTH = 32;
  const haystack = Buffer.from(old.buffer, old.byteOffset, old.length);
  for (let i = 0; i < SAMPLES; i++) {
    const at = Math.floor(((bytes.length - WIDTH) * (i + 0.5)) / SAMPLES);
    if (haystack.indexOf(bytes.subarray(at, at + WIDTH)) >= 0) return true;
  }
  return false;
}

/**
 * The predecessor's entry at the same place, or nothing: not only when it is missing but
 * when the place cannot be reached in it (a file where the new path has a folder: ENOTDIR;
 * a symlink loop; no permission). Then the file goes in full.
 */
function lstatOrNothing(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
