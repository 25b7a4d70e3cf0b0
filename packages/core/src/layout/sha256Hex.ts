import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";

/**
 * SHA-256 of a string's UTF-8 bytes, in hex: disko names a partition whose label would be
 * longer than 36 characters by the first 36 hex digits of this hash of it. Core does no
 * I/O, so it takes the hash from @noble/hashes (pure, audited) rather than node:crypto.
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
