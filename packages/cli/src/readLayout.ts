import { readFile } from "node:fs/promises";
import { errAsync, ResultAsync } from "neverthrow";
import { parseLayout, UsageError, type Layout, type NixosViaError } from "@nixos-via/core";

/**
 * Reads a layout file: disko's `disko.devices` as JSON (`nix eval --json …disko.devices`).
 *
 * @example
 * ```ts
 * const layout = await readLayout("disks.json");
 * ```
 */
export function readLayout(file: string): ResultAsync<Layout, NixosViaError> {
  return ResultAsync.fromPromise(readFile(file, "utf8"), (cause) => new UsageError(`cannot read the layout ${file}: ${(cause as Error).message}`, { cause }))
    .andThen((text) => {
      try {
        return parseLayout(JSON.parse(text)).asyncAndThen((l) => ResultAsync.fromSafePromise(Promise.resolve(l)));
      } catch (cause) {
        return errAsync(new UsageError(`${file} is not JSON: ${(cause as Error).message}`, { cause }));
      }
    });
}

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
