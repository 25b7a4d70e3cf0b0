import { readFile } from "node:fs/promises";
import { errAsync, ResultAsync } from "neverthrow";
import { parseLayout, UsageError, type Layout, type NixosViaError, type ParseLayoutOptions } from "@nixos-via/core";

/**
 * Reads a layout file: disko's `disko.devices` as JSON (`nix eval --json …disko.devices`).
 *
 * @example
 * ```ts
 * const layout = await readLayout("disks.json");
 * ```
 */
export function readLayout(file: string, options: ParseLayoutOptions = {}): ResultAsync<Layout, NixosViaError> {
  return ResultAsync.fromPromise(readFile(file, "utf8"), (cause) => new UsageError(`cannot read the layout ${file}: ${(cause as Error).message}`, { cause }))
    .andThen((text) => {
      try {
        return parseLayout(JSON.parse(text), options).asyncAndThen((l) => ResultAsync.fromSafePromise(Promise.resolve(l)));
      } catch (cause) {
        return errAsync(new UsageError(`${file} is not JSON: ${(cause as Error).message}`, { cause }));
      }
    });
}
