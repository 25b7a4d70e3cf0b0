import { UsageError } from "@nixos-via/core";

/**
 * Parses repeated `--disk NAME=DEVICE` options.
 *
 * @example
 * ```ts
 * parseDiskOptions(["main=/dev/sdb"]) // { main: "/dev/sdb" }
 * ```
 */
export function parseDiskOptions(values: readonly string[]): Record<string, string> | UsageError {
  // A disk may be called like anything an object inherits (constructor, __proto__…).
  const devices = Object.create(null) as Record<string, string>;
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0 || eq === v.length - 1) return new UsageError(`--disk ${v}: use --disk NAME=DEVICE, e.g. --disk main=/dev/sdb`);
    devices[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return devices;
}
