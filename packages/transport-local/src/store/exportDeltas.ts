import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import {
  DONE_MARKER_DIR,
  formatManifest,
  tarDirectory,
  tarFile,
  tarHardLink,
  tarSymlink,
  type DeltaPath,
  type PathManifest,
} from "@nixos-via/core";

/** Files equal to the predecessor's and at least this big become hard links to it; smaller ones cost less sent. */
const LINK_MIN = 512;
/**
 * Files that differ go as zstd deltas between these sizes: below, sending them costs less
 * than a delta's overhead; above, the receiver's `zstd -d --patch-from` would hold both
 * old file and window in memory (the target stays under 128 MiB), so they go in full.
 */
const PATCH_MIN = 4096;
const PATCH_MAX = 16 * 1024 * 1024;
/** Delta level: the fast one; a file with nothing in common costs a whole compression before it goes in full. */
const PATCH_LEVEL = "-3";
/**
 * Members are handed on in batches of this size. The files are read synchronously: a path
 * of thousands of small files costs ten file-system calls each, and through libuv's thread
 * pool those took 26 s for the benchmark's mass rebuild (20 000 files), mostly waiting.
 */
const BATCH = 1 << 20;

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
  let batch: Uint8Array[] = [];
  let batched = 0;
  const flush = (): Uint8Array => {
    const out = Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    return out;
  };
  for (const delta of deltas) {
    for await (const member of pathMembers(storeDir, delta, counts)) {
      batch.push(member);
      batched += member.length;
      if (batched >= BATCH) yield flush();
    }
  }
  if (batched > 0) yield flush();
}

/** The members of one path sent as a delta, ending with its `.done` marker. */
async function* pathMembers(storeDir: string, { path, from }: DeltaPath, counts: DeltaCounts): AsyncGenerator<Uint8Array> {
  const name = path.slice(storeDir.length + 1);
  const predecessor = from.slice(storeDir.length + 1);
  const manifest: PathManifest = { files: 0, bytes: 0, links: 0, dirs: 0 };
  const patches: string[] = [];
  // Depth first, folders before their contents, as tar extracts them.
  const pending: string[] = [""];
  while (pending.length > 0) {
    const rel = pending.pop()!;
    const source = rel === "" ? path : join(path, rel);
    const member = rel === "" ? name : `${name}/${rel}`;
    const st = lstatSync(source);
    if (st.isDirectory()) {
      manifest.dirs++;
      yield tarDirectory(member);
      const children = readdirSync(source).sort().reverse();
      for (const child of children) pending.push(rel === "" ? child : `${rel}/${child}`);
    } else if (st.isSymbolicLink()) {
      manifest.links++;
      yield tarSymlink(member, readlinkSync(source));
    } else {
      manifest.files++;
      manifest.bytes += st.size;
      yield await fileMember(source, member, rel, st, from, predecessor, name, patches, counts);
    }
  }
  if (patches.length > 0) yield tarFile(`.patch/${name}.list`, new TextEncoder().encode(`${patches.join("\n")}\n`));
  yield tarFile(`${DONE_MARKER_DIR}/${name}`, new TextEncoder().encode(formatManifest(manifest)));
}

/** A regular file: a hard link to the predecessor's equal file, a delta against its changed one, or in full. */
async function fileMember(
  source: string,
  member: string,
  rel: string,
  st: Stats,
  from: string,
  predecessor: string,
  name: string,
  patches: string[],
  counts: DeltaCounts,
): Promise<Uint8Array> {
  const executable = (st.mode & 0o100) !== 0;
  const size = st.size;
  const oldPath = join(from, rel);
  const old = rel === "" || rel.includes("\n") ? undefined : lstatSafe(oldPath);
  const bytes = readFileSync(source);
  if (old?.isFile() === true) {
    const oldBytes = old.size === size || (size >= PATCH_MIN && size <= PATCH_MAX && old.size >= PATCH_MIN && old.size <= PATCH_MAX) ? readFileSync(oldPath) : undefined;
    if (old.size === size && size >= LINK_MIN && ((old.mode & 0o100) !== 0) === executable && bytes.equals(oldBytes!)) {
      counts.linked++;
      return tarHardLink(member, `../${predecessor}/${rel}`);
    }
    if (size >= PATCH_MIN && size <= PATCH_MAX && old.size >= PATCH_MIN && old.size <= PATCH_MAX && related(bytes, oldBytes!)) {
      const patch = await execa("zstd", ["-q", "-c", PATCH_LEVEL, `--patch-from=${oldPath}`, source], { encoding: "buffer", reject: false });
      if (patch.exitCode === 0 && patch.stdout.length < size / 2) {
        counts.patched++;
        const n = patches.length / 3;
        patches.push(`${n} ${executable ? "x" : "-"} ${createHash("sha256").update(bytes).digest("hex")}`, `${predecessor}/${rel}`, rel);
        return tarFile(`.patch/${name}.d/${n}`, patch.stdout);
      }
    }
  }
  counts.full++;
  return tarFile(member, bytes, executable);
}

/**
 * Whether a delta can pay: some of a few samples of the new file occur in the old one. A
 * file with new bytes throughout (nothing in common) would cost a whole zstd run before
 * going in full anyway.
 */
function related(bytes: Buffer, old: Buffer): boolean {
  const SAMPLES = 8;
  const WIDTH = 32;
  for (let i = 0; i < SAMPLES; i++) {
    const at = Math.floor(((bytes.length - WIDTH) * (i + 0.5)) / SAMPLES);
    if (old.indexOf(bytes.subarray(at, at + WIDTH)) >= 0) return true;
  }
  return false;
}

function lstatSafe(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
