import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
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
/** Delta level: deltas are small, so a stronger level costs little time and saves bytes. */
const PATCH_LEVEL = "-9";

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
  for (const { path, from } of deltas) {
    const name = path.slice(storeDir.length + 1);
    const predecessor = from.slice(storeDir.length + 1);
    const manifest: PathManifest = { files: 0, bytes: 0, links: 0, dirs: 0 };
    const patches: string[] = [];
    async function* entry(rel: string): AsyncGenerator<Uint8Array> {
      const source = join(path, rel);
      const member = rel === "" ? name : `${name}/${rel}`;
      const st = await lstat(source);
      if (st.isDirectory()) {
        manifest.dirs++;
        yield tarDirectory(member);
        for (const child of (await readdir(source)).sort()) yield* entry(rel === "" ? child : `${rel}/${child}`);
      } else if (st.isSymbolicLink()) {
        manifest.links++;
        yield tarSymlink(member, await readlink(source));
      } else {
        manifest.files++;
        manifest.bytes += st.size;
        const executable = (st.mode & 0o100) !== 0;
        yield* file(source, member, rel, st.size, executable);
      }
    }
    async function* file(source: string, member: string, rel: string, size: number, executable: boolean): AsyncGenerator<Uint8Array> {
      const old = rel === "" ? undefined : await lstat(join(from, rel)).catch(() => undefined);
      const bytes = await readFile(source);
      if (old?.isFile() === true && !rel.includes("\n")) {
        if (old.size === size && size >= LINK_MIN && ((old.mode & 0o100) !== 0) === executable && bytes.equals(await readFile(join(from, rel)))) {
          counts.linked++;
          yield tarHardLink(member, `../${predecessor}/${rel}`);
          return;
        }
        if (size >= PATCH_MIN && size <= PATCH_MAX && old.size >= PATCH_MIN && old.size <= PATCH_MAX) {
          const patch = await execa("zstd", ["-q", "-c", PATCH_LEVEL, `--patch-from=${join(from, rel)}`, source], { encoding: "buffer", reject: false });
          if (patch.exitCode === 0 && patch.stdout.length < size / 2) {
            counts.patched++;
            const n = patches.length / 3;
            patches.push(`${n} ${executable ? "x" : "-"} ${createHash("sha256").update(bytes).digest("hex")}`, `${predecessor}/${rel}`, rel);
            yield tarFile(`.patch/${name}.d/${n}`, patch.stdout);
            return;
          }
        }
      }
      counts.full++;
      yield tarFile(member, bytes, executable);
    }
    yield* entry("");
    if (patches.length > 0) yield tarFile(`.patch/${name}.list`, new TextEncoder().encode(`${patches.join("\n")}\n`));
    yield tarFile(`${DONE_MARKER_DIR}/${name}`, new TextEncoder().encode(formatManifest(manifest)));
  }
}
