/**
 * Tar members written by nixos-via itself (GNU format, owner 0:0, the store's timestamp
 * 1): the copy stream's markers, and the members of paths sent as deltas. Pure.
 */

/** Tar's block size. */
export const BLOCK = 512;

/** A regular file at `name` holding `bytes`; mode 0444, or 0555 when `executable`. */
export function tarFile(name: string, bytes: Uint8Array, executable = false): Uint8Array {
  const out = new Uint8Array(memberHeaderSize(name) + padTo(bytes.length));
  const at = writeMemberHeader(out, 0, name, "0", bytes.length, executable ? MODE_EXECUTABLE : MODE_FILE);
  out.set(bytes, at);
  return out;
}

/** A folder at `name` (mode 0555, as in a store). */
export function tarDirectory(name: string): Uint8Array {
  const withSlash = name.endsWith("/") ? name : `${name}/`;
  return single(withSlash, "5", MODE_EXECUTABLE);
}

/** A symlink at `name` pointing at `target`. */
export function tarSymlink(name: string, target: string): Uint8Array {
  return single(name, "2", "0000777", target);
}

/** A hard link at `name` to `target` (a name relative to the folder tar extracts into). */
export function tarHardLink(name: string, target: string): Uint8Array {
  return single(name, "1", MODE_FILE, target);
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

/** Modes of a store's files and folders. */
export const MODE_FILE = "0000444";
export const MODE_EXECUTABLE = "0000555";

/** Bytes of `n` padded to whole tar blocks. */
export function padTo(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/**
 * Bytes the headers of a member take: the header, and a GNU long-name (`L`) and long-link
 * (`K`) member before it when the name or the link target does not fit 100 bytes.
 */
export function memberHeaderSize(name: string, link = ""): number {
  return BLOCK + longNameSize(name) + longNameSize(link);
}

/**
 * Writes the headers of a member into `out` at `offset` (`out` zeroed there, at least
 * {@link memberHeaderSize} bytes): long-name members as needed, then the header. Returns
 * the offset after them, where a regular file's data goes. Writing in place, without a
 * buffer per field, is what keeps a delta stream of ~25 000 members cheap.
 */
export function writeMemberHeader(out: Uint8Array, offset: number, name: string, type: string, size: number, mode: string, link = ""): number {
  let at = writeLongName(out, offset, name, "L");
  at = writeLongName(out, at, link, "K");
  writeHeader(out, at, name, type, size, mode, link);
  return at + BLOCK;
}

function single(name: string, type: string, mode: string, link = ""): Uint8Array {
  const out = new Uint8Array(memberHeaderSize(name, link));
  writeMemberHeader(out, 0, name, type, 0, mode, link);
  return out;
}

const encoder = new TextEncoder();
const LONG_LINK = "././@LongLink";

function byteLength(text: string): number {
  // ASCII (all store path names, nearly all file names) needs no encoding to be measured.
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return encoder.encode(text).length;
  return text.length;
}

function longNameSize(name: string): number {
  const n = byteLength(name);
  return n < 100 ? 0 : BLOCK + padTo(n + 1);
}

function writeLongName(out: Uint8Array, offset: number, name: string, type: "L" | "K"): number {
  const n = byteLength(name);
  if (n < 100) return offset;
  writeHeader(out, offset, LONG_LINK, type, n + 1, "0000644", "");
  encoder.encodeInto(name, out.subarray(offset + BLOCK, offset + BLOCK + n));
  return offset + BLOCK + padTo(n + 1);
}

/** The fields every header shares (owner 0:0 "root", mtime 1, the GNU magic), filled once. */
const TEMPLATE = (() => {
  const h = new Uint8Array(BLOCK);
  const put = (at: number, text: string) => encoder.encodeInto(text, h.subarray(at));
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(136, "00000000001\0");
  put(148, "        ");
  put(257, "ustar  \0");
  put(265, "root");
  put(297, "root");
  return h;
})();

function writeHeader(out: Uint8Array, offset: number, name: string, type: string, size: number, mode: string, link: string): void {
  const h = out.subarray(offset, offset + BLOCK);
  h.set(TEMPLATE);
  encoder.encodeInto(name, h.subarray(0, 99));
  encoder.encodeInto(mode, h.subarray(100, 107));
  // 11 octal digits and a NUL up to 8 GiB; GNU tar also reads all 12 bytes as digits (to
  // 64 GiB). Beyond that the field would need base-256, which no store file here needs.
  const octal = size.toString(8).padStart(11, "0");
  if (octal.length > 12) throw new RangeError(`${name} is ${size} bytes: too big for a tar header's size field`);
  encoder.encodeInto(octal, h.subarray(124, 124 + octal.length));
  h[156] = type.charCodeAt(0);
  if (link !== "") encoder.encodeInto(link, h.subarray(157, 256));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i]!;
  encoder.encodeInto(`${sum.toString(8).padStart(6, "0")}\0 `, h.subarray(148, 156));
}
