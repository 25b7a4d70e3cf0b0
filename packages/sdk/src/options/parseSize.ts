/**
 * A size as disko writes them: a byte count, or a number with a binary unit (`4G`,
 * `512M`, `1GiB`). The CLI's `--image-size` and the SDK's `imageSize` read the same.
 *
 * @example
 * ```ts
 * parseSize("4G") // 4294967296
 * parseSize("lots") // undefined
 * ```
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([KMGTP]?)(?:i?B)?$/i.exec(text.trim());
  if (m === null) return undefined;
  const power = " KMGTP".indexOf((m[2] || " ").toUpperCase());
  const bytes = Number(m[1]) * 1024 ** power;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
