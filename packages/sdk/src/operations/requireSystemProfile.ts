import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { profilePaths, TargetUnusableError, type Target, type TransportError } from "@nixos-via/core";

/**
 * Refuses a target whose root has no system profile (`nix/var/nix/profiles/system`), before
 * anything touches it: gc, generations and enter would otherwise create Nix's state folders
 * or mount points in a directory that holds no system.
 */
export function requireSystemProfile(target: Target): ResultAsync<Target, TargetUnusableError | TransportError> {
  const { system } = profilePaths(target.root);
  return target.exec(["test", "-L", system]).andThen((r) =>
    r.exitCode === 0 ? okAsync(target) : errAsync(new TargetUnusableError(target.uri, `${target.uri} holds no system: ${system} does not exist; install one first`)),
  );
}
