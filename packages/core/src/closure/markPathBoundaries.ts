import stagedPathCheck from "./stagedPathCheck.sh";
import { BLOCK, tarFile } from "./tarMembers.js";

/** Where the receiver finds the markers: `INCOMING/.done/<store path name>` (the scripts name it too). */
export const DONE_MARKER_DIR = ".done";
/**
 * The member after the last path: its presence proves the stream arrived whole (tar may
 * end quietly on a stream cut between two members, and a pipe hides the decompressor's
 * failure).
 */
export const END_MARKER = ".end";

/**
 * Adds, to a GNU tar stream of store paths, a member `.done/<name>` right after the last
 * member of each store path, holding that path's {@link PathManifest}. Tar unpacks members
 * in order, so the marker proves that tar *reached* the end of the path; the manifest
 * proves that tar *wrote* it: GNU tar goes on after a write error (a full disk), so a
 * marker alone could follow a file cut short. A receiver trusts a staged path from an
 * interrupted copy only when the path on disk matches its manifest
 * ({@link STAGED_PATH_CHECK}); the next run sends only the rest. After the last path comes
 * `.end`, so the receiver knows the whole stream arrived. Pure: bytes in, bytes out. The
 * bytes out are mostly views of the chunks in, not copies: those must not change afterwards.
 *
 * @example
 * ```ts
 * for await (const chunk of markPathBoundaries(tarStdout)) compressor.write(chunk);
 * ```
 */
export async function* markPathBoundaries(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = new BlockReader();
  let current: string | undefined;
  let counts = emptyCounts();
  let pendingLong: Uint8Array[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  let ended = false;
  // Sizes of the regular files seen so far: a hard link's member carries no size of its own.
  const fileSizes = new Map<string, number>();
  const done = (name: string) => tarFile(`${DONE_MARKER_DIR}/${name}`, new TextEncoder().encode(formatManifest(counts)));
  // What one input chunk gives, its parts that lie side by side in memory joined (a header
  // and the data after it are views of the same chunk): fewer, larger writes downstream.
  const parts: Uint8Array[] = [];
  const emit = (bytes: Uint8Array) => {
    const last = parts.at(-1);
    if (last !== undefined && last.buffer === bytes.buffer && last.byteOffset + last.byteLength === bytes.byteOffset) {
      parts[parts.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.byteLength + bytes.byteLength);
    } else parts.push(bytes);
  };

  for await (const chunk of input) {
    reader.push(chunk);
    for (;;) {
      const out = reader.step();
      if (out === undefined) break;
      if (out.kind === "data") {
        if (pendingLong.length > 0) pendingLong.push(out.bytes);
        else emit(out.bytes);
        continue;
      }
      const header = out.bytes;
      if (isZeroBlock(header)) {
        if (!ended) {
          if (current !== undefined) emit(done(current));
          emit(tarFile(END_MARKER, new Uint8Array()));
          ended = true;
        }
        current = undefined;
        emit(header);
        continue;
      }
      const type = String.fromCharCode(header[156] ?? 48);
      const size = octal(header.subarray(124, 136));
      if (type === "L" || type === "K") {
        // A GNU long name belongs to the next header: hold both until that header decides.
        pendingLong.push(header);
        const data = reader.take(Math.ceil(size / BLOCK) * BLOCK);
        if (data === undefined) {
          reader.unread(header);
          pendingLong.pop();
          break;
        }
        pendingLong.push(data);
        if (type === "L") longName = cString(data.subarray(0, size));
        else longLink = cString(data.subarray(0, size));
        continue;
      }
      const name = longName ?? headerName(header);
      const link = longLink ?? cString(header.subarray(157, 257));
      longName = undefined;
      longLink = undefined;
      const top = topComponent(name);
      if (current !== undefined && top !== current) {
        emit(done(current));
        counts = emptyCounts();
      }
      current = top;
      count(counts, type, size, name, link, fileSizes);
      for (const held of pendingLong) emit(held);
      pendingLong = [];
      emit(header);
      reader.expectData(hasData(type) ? Math.ceil(size / BLOCK) * BLOCK : 0);
    }
    for (const part of parts) yield part;
    parts.length = 0;
  }
  const rest = reader.rest();
  if (rest.length > 0) yield rest;
}

/**
 * What a complete store path holds on disk: its regular files (hard links included),
 * their bytes, its symlinks and folders. Written into each path's `.done/` marker as
 * `files=N bytes=N links=N dirs=N`, the line {@link STAGED_PATH_CHECK} computes again.
 */
export interface PathManifest {
  files: number;
  bytes: number;
  links: number;
  dirs: number;
}

function emptyCounts(): PathManifest {
  return { files: 0, bytes: 0, links: 0, dirs: 0 };
}

function count(counts: PathManifest, type: string, size: number, name: string, link: string, fileSizes: Map<string, number>): void {
  const clean = stripDot(name).replace(/\/$/, "");
  if (hasData(type)) {
    counts.files += 1;
    counts.bytes += size;
    fileSizes.set(clean, size);
  } else if (type === "1") {
    counts.files += 1;
    counts.bytes += fileSizes.get(stripDot(link)) ?? 0;
  } else if (type === "2") counts.links += 1;
  else if (type === "5") counts.dirs += 1;
}

/** The manifest line of a path, exactly as {@link STAGED_PATH_CHECK} prints it. */
export function formatManifest(m: PathManifest): string {
  return `files=${m.files} bytes=${m.bytes} links=${m.links} dirs=${m.dirs}\n`;
}

/**
 * Shell functions (a library, `stagedPathCheck.sh`) defining `staged_ok INCOMING NAME`: true when the staged path
 * `INCOMING/NAME` has a marker and matches the manifest in it. Uses only POSIX
 * `find`, `cat` and `wc`, so every target can run it; it reads a staged path's bytes,
 * which happens only for what an interrupted run left behind. Whatever it cannot compute
 * (a tool missing) counts as a mismatch: the path is sent again. Shared by the probe (which
 * reports only trustworthy staged paths) and the receiver (which removes the rest).
 */
export const STAGED_PATH_CHECK: string = stagedPathCheck;

/**
 * Splits a byte stream into 512-byte headers and the data blocks that follow them. File
 * data is handed out as views into the incoming chunks, never copied: a data step yields
 * at most the rest of the first chunk. Only what straddles chunks (a header, a long name)
 * is assembled into a copy. The chunks must not change afterwards (a child's stdout gives
 * fresh ones).
 */
class BlockReader {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private dataLeft = 0;

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  expectData(bytes: number): void {
    this.dataLeft = bytes;
  }

  step(): { kind: "header" | "data"; bytes: Uint8Array } | undefined {
    if (this.dataLeft > 0) {
      if (this.length === 0) return undefined;
      const head = this.chunks[0]!;
      const n = Math.min(this.dataLeft, head.byteLength);
      this.dataLeft -= n;
      return { kind: "data", bytes: this.drop(head, n) };
    }
    if (this.length < BLOCK) return undefined;
    return { kind: "header", bytes: this.read(BLOCK) };
  }

  take(bytes: number): Uint8Array | undefined {
    return this.length < bytes ? undefined : this.read(bytes);
  }

  unread(bytes: Uint8Array): void {
    this.chunks.unshift(bytes);
    this.length += bytes.byteLength;
  }

  rest(): Uint8Array {
    return this.read(this.length);
  }

  /** The next `n` bytes (no more than it holds): a view when the first chunk holds them, else a copy. */
  private read(n: number): Uint8Array {
    const head = this.chunks[0];
    if (head === undefined) return new Uint8Array(0);
    if (head.byteLength >= n) return this.drop(head, n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const part = this.drop(this.chunks[0]!, n - filled);
      out.set(part, filled);
      filled += part.byteLength;
    }
    return out;
  }

  /** Takes up to `n` bytes off the first chunk `head`, as a view of it. */
  private drop(head: Uint8Array, n: number): Uint8Array {
    if (n >= head.byteLength) {
      this.chunks.shift();
      this.length -= head.byteLength;
      return head;
    }
    this.chunks[0] = head.subarray(n);
    this.length -= n;
    return head.subarray(0, n);
  }
}

function hasData(type: string): boolean {
  // Regular files (0, NUL, 7) carry data; links, symlinks, folders and devices do not.
  return type === "0" || type === "\0" || type === "7";
}

function isZeroBlock(block: Uint8Array): boolean {
  for (const b of block) if (b !== 0) return false;
  return true;
}

function octal(field: Uint8Array): number {
  const text = cString(field).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const prefix = cString(header.subarray(345, 500));
  // GNU format keeps atime/ctime where ustar keeps the prefix; a ustar magic tells them apart.
  const magic = cString(header.subarray(257, 263));
  return magic === "ustar" && prefix !== "" ? `${prefix}/${name}` : name;
}

function stripDot(name: string): string {
  return name.replace(/^\.\//, "");
}

function topComponent(name: string): string {
  const clean = stripDot(name);
  const slash = clean.indexOf("/");
  return slash < 0 ? clean : clean.slice(0, slash);
}
