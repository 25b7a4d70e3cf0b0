const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration in whole seconds: a count of seconds, or a number with `s`, `m`, `h` or `d`
 * (`30`, `90s`, `10m`, `30d`). The CLI's duration options and the SDK's read the same.
 *
 * @example
 * ```ts
 * parseDuration("10m") // 600
 * parseDuration("soon") // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (m === null) return undefined;
  const seconds = Number(m[1]) * UNITS[m[2] || "s"]!;
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}
