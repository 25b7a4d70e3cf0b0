/**
 * Tar members written by nixos-via itself (GNU format, owner 0:0, the store's timestamp
 * 1): the copy stream's markers, and the members of paths sent as deltas. Pure.
 */

/** Tar's block size. */
export const BLOCK = 512;

/** A regular file at `name` holding `bytes`; mode 0444, or 0555 when `executable`. */
export function tarFile(name: string, bytes: Uint8Array, executable = false): Uint8Array {
  return concat([...longName(name, "L"), header(name, "0", bytes.length, executable ? "0000555" : "0000444"), padded(bytes)]);
}

/** A folder at `name` (mode 0555, as in a store). */
export function tarDirectory(name: string): Uint8Array {
  const withSlash = name.endsWith("/") ? name : `${name}/`;
  return concat([...longName(withSlash, "L"), header(withSlash, "5", 0, "0000555")]);
}

/** A symlink at `name` pointing at `target`. */
export function tarSymlink(name: string, target: string): Uint8Array {
  return concat([...longName(name, "L"), ...longName(target, "K"), header(name, "2", 0, "0000777", target)]);
}

/** A hard link at `name` to `target` (a name relative to the folder tar extracts into). */
export function tarHardLink(name: string, target: string): Uint8Array {
  return concat([...longName(name, "L"), ...longName(target, "K"), header(name, "1", 0, "0000444", target)]);
}

/** The end of an archive: two zero blocks. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

const encoder = new TextEncoder();

/** A GNU long-name (`L`) or long-link (`K`) member, when the name does not fit 100 bytes. */
function longName(name: string, type: "L" | "K"): Uint8Array[] {
  const bytes = encoder.encode(name);
  if (bytes.length < 100) return [];
  return [header("././@LongLink", type, bytes.length + 1, "0000644"), padded(new Uint8Array([...bytes, 0]))];
}

/** Bytes padded with zeros to whole tar blocks. */
function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / BLOCK) * BLOCK);
  out.set(bytes);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function header(name: string, type: string, size: number, mode: string, link = ""): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => h.set(encoder.encode(text), offset);
  h.set(encoder.encode(name).subarray(0, 99), 0);
  put(100, `${mode}\0`);
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, `${size.toString(8).padStart(11, "0")}\0`);
  put(136, "00000000001\0");
  put(156, type);
  h.set(encoder.encode(link).subarray(0, 99), 157);
  put(257, "ustar  \0");
  put(265, "root");
  put(297, "root");
  put(148, "        ");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}
