import { err, ok, type Result } from "neverthrow";
import { ClosureReadError } from "../errors/index.js";

const NIX32_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";
const SHA256_BYTES = 32;

/**
 * Normalises a SHA-256 NAR hash in any encoding Nix has printed to `sha256:<hex>`, the
 * form `nix-store --dump-db` writes and every Nix version's `--load-db` reads.
 *
 * Accepts SRI (`sha256-<base64>`), `sha256:<nix32>`, `sha256:<hex>`, `sha256:<base64>`
 * and the structured `{ algorithm, format, hash }` of newer `nix path-info --json`.
 *
 * @example
 * ```ts
 * normaliseNarHash("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
 * // Ok("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
 * ```
 */
export function normaliseNarHash(value: unknown): Result<string, ClosureReadError> {
  if (typeof value === "object" && value !== null) {
    // The digest's encoding is told apart by its length, so `format` needs no reading.
    const { algorithm, hash } = value as { algorithm?: unknown; hash?: unknown };
    if (algorithm === "sha256" && typeof hash === "string") return decodeDigest(hash, value);
    return err(new ClosureReadError(`unsupported NAR hash ${JSON.stringify(value)}: only sha256 is supported`));
  }
  if (typeof value !== "string") {
    return err(new ClosureReadError(`NAR hash ${JSON.stringify(value)} is not a string`));
  }
  if (value.startsWith("sha256-")) return decodeDigest(value.slice("sha256-".length), value);
  if (value.startsWith("sha256:")) return decodeDigest(value.slice("sha256:".length), value);
  return err(new ClosureReadError(`unsupported NAR hash "${value}": expected sha256`));
}

/** Decodes a SHA-256 digest by its length: hex (64), nix32 (52) or base64 (44). */
function decodeDigest(digest: string, original: unknown): Result<string, ClosureReadError> {
  const bytes =
    digest.length === 64 && /^[0-9a-f]+$/i.test(digest)
      ? hexToBytes(digest)
      : digest.length === 52
        ? nix32ToBytes(digest)
        : digest.length === 44
          ? base64ToBytes(digest)
          : undefined;
  if (bytes === undefined || bytes.length !== SHA256_BYTES) {
    return err(new ClosureReadError(`cannot decode NAR hash ${JSON.stringify(original)}`));
  }
  return ok(`sha256:${bytesToHex(bytes)}`);
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function base64ToBytes(b64: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Nix's base32: its own alphabet, and the string is the digest read from the last
 * character to the first, five bits at a time (libutil/hash.cc).
 */
function nix32ToBytes(s: string): Uint8Array | undefined {
  const out = new Uint8Array(SHA256_BYTES);
  for (let n = 0; n < s.length; n++) {
    const digit = NIX32_ALPHABET.indexOf(s[s.length - n - 1] ?? "");
    if (digit < 0) return undefined;
    const b = n * 5;
    const i = Math.floor(b / 8);
    const j = b % 8;
    out[i] = (out[i] ?? 0) | ((digit << j) & 0xff);
    const carry = digit >> (8 - j);
    if (i + 1 < SHA256_BYTES) out[i + 1] = (out[i + 1] ?? 0) | carry;
    else if (carry !== 0) return undefined;
  }
  return out;
}
