import { errAsync, type ResultAsync } from "neverthrow";
import { parseTargetUri, UsageError, type NixosViaError, type Target } from "@nixos-via/core";
import { createDirTarget } from "@nixos-via/transport-local";

/**
 * Turns a target URI into a connected target, choosing the transport by its scheme.
 *
 * @example
 * ```ts
 * const target = await resolveTarget("dir:/srv/roots/web");
 * ```
 */
export function resolveTarget(uri: string): ResultAsync<Target, NixosViaError> {
  const spec = parseTargetUri(uri);
  if (spec.isErr()) return errAsync(spec.error);
  switch (spec.value.kind) {
    case "dir":
      return createDirTarget(spec.value.path);
    default:
      return errAsync(new UsageError(`${spec.value.kind}: targets are not supported yet; use dir:PATH`));
  }
}
