import { errAsync, type ResultAsync } from "neverthrow";
import { parseTargetUri, UsageError, type NixosViaError, type TargetSpec } from "@nixos-via/core";
import type { ConnectionOptions } from "./connectionOptions.js";
import { resolveTarget, type ResolvedTarget } from "./resolveTarget.js";

/**
 * Opens a target that holds a system already: a `dir:` root, or a running machine over
 * `ssh://` (its root is `/`). What deploy, rollback, generations and gc work on.
 */
export function openSystemTarget(uri: string, options: ConnectionOptions): ResultAsync<{ spec: TargetSpec; resolved: ResolvedTarget }, NixosViaError> {
  const spec = parseTargetUri(uri);
  if (spec.isErr()) return errAsync(spec.error);
  if (spec.value.kind !== "dir" && spec.value.kind !== "ssh") {
    return errAsync(new UsageError(`${spec.value.kind}: targets hold no running system; use dir:PATH or ssh://host (install writes disks and images)`));
  }
  return resolveTarget(spec.value, { ...options, wipe: [], disk: [], reboot: false, root: "/" }).map((resolved) => ({ spec: spec.value, resolved }));
}
