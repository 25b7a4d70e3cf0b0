const BLOCK = 512;

/** Where the receiver finds the markers: `INCOMING/.done/<store path name>`. */
export const DONE_MARKER_DIR = ".done";
/**
 * The member after the last path: its presence proves the stream arrived whole (tar may
 * end quietly on a stream cut between two members, and a pipe hides the decompressor's
 * failure).
 */
export const END_MARKER = ".end";

/**
 * Adds, to a GNU tar stream of store paths, an empty member `.done/<name>` right after the
 * last member of each store path. Tar unpacks members in order, so when the marker exists
 * on the target, every byte of that path is there: an interrupted copy can keep its
 * complete paths and the next run sends only the rest. After the last path comes `.end`,
 * so the receiver knows the whole stream arrived. Pure: bytes in, bytes out.
 *
 * @example
 * ```ts
 * for await (const chunk of markPathBoundaries(tarStdout)) compressor.write(chunk);
 * ```
 */
export async function* markPathBoundaries(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = new BlockReader();
  let current: string | undefined;
  let pendingLong: Uint8Array[] = [];
  let longName: string | undefined;
  let ended = false;

  for await (const chunk of input) {
    reader.push(chunk);
    for (;;) {
      const out = reader.step();
      if (out === undefined) break;
      if (out.kind === "data") {
        if (pendingLong.length > 0) pendingLong.push(out.bytes);
        else yield out.bytes;
        continue;
      }
      const header = out.bytes;
      if (isZeroBlock(header)) {
        if (!ended) {
          if (current !== undefined) yield marker(`${DONE_MARKER_DIR}/${current}`);
          yield marker(END_MARKER);
          ended = true;
        }
        current = undefined;
        yield header;
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
        continue;
      }
      const name = longName ?? headerName(header);
      longName = undefined;
      const top = topComponent(name);
      if (current !== undefined && top !== current) yield marker(`${DONE_MARKER_DIR}/${current}`);
      current = top;
      for (const held of pendingLong) yield held;
      pendingLong = [];
      yield header;
      reader.expectData(hasData(type) ? Math.ceil(size / BLOCK) * BLOCK : 0);
    }
  }
  const rest = reader.rest();
  if (rest.length > 0) yield rest;
}

/** Splits a byte stream into 512-byte headers and the data blocks that follow them. */
class BlockReader {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private dataLeft = 0;

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  expectData(bytes: number): void {
    this.dataLeft = bytes;
  }

  step(): { kind: "header" | "data"; bytes: Uint8Array } | undefined {
    if (this.dataLeft > 0) {
      if (this.length === 0) return undefined;
      const n = Math.min(this.dataLeft, this.length);
      this.dataLeft -= n;
      return { kind: "data", bytes: this.read(n) };
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

  private read(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const want = n - filled;
      if (head.byteLength <= want) {
        out.set(head, filled);
        filled += head.byteLength;
        this.chunks.shift();
      } else {
        out.set(head.subarray(0, want), filled);
        this.chunks[0] = head.subarray(want);
        filled += want;
      }
    }
    this.length -= n;
    return out;
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

function topComponent(name: string): string {
  const clean = name.replace(/^\.\//, "");
  const slash = clean.indexOf("/");
  return slash < 0 ? clean : clean.slice(0, slash);
}

/** An empty regular file at `path` (with a GNU long-name member when it needs one). */
function marker(path: string): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length < 100) return header(bytes, "0", 0);
  const data = new Uint8Array(Math.ceil((bytes.length + 1) / BLOCK) * BLOCK);
  data.set(bytes);
  const long = header(new TextEncoder().encode("././@LongLink"), "L", bytes.length + 1);
  const real = header(bytes.subarray(0, 99), "0", 0);
  const out = new Uint8Array(long.length + data.length + real.length);
  out.set(long, 0);
  out.set(data, long.length);
  out.set(real, long.length + data.length);
  return out;
}

function header(name: Uint8Array, type: string, size: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => h.set(new TextEncoder().encode(text), offset);
  h.set(name.subarray(0, 100), 0);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, `${size.toString(8).padStart(11, "0")}\0`);
  put(136, "00000000001\0");
  put(156, type);
  put(257, "ustar  \0");
  put(265, "root");
  put(297, "root");
  put(148, "        ");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}
