import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { checkBlockDevice, TargetUnusableError, UsageError, type NixosViaError, type Target, type TargetSpec } from "@nixos-via/core";
import { createDirTarget, createDiskTarget, createImageTarget, hostTarget } from "@nixos-via/transport-local";
import { createSshTarget } from "@nixos-via/transport-ssh";
import type { InstallOptions } from "./commands/installOptions.js";
import { askPassword } from "./askPassword.js";

/** An opened target and what the layout needs to know about it. */
export interface ResolvedTarget {
  readonly target: Target;
  /** The whole disk a single-disk layout goes onto (disk:, image:, or ssh:// with one --wipe). */
  readonly device?: string | undefined;
  /** Releases the target after a failure, deleting what this run created (a new image). */
  readonly discard: () => ResultAsync<void, NixosViaError>;
}

/** Where a dry run says the mount folder would be: a real run creates it under /run. */
const PLANNED_ROOT = "/run/nixos-via-MOUNT";

/**
 * Opens the target a URI names, choosing the transport by its scheme. A dry run opens
 * nothing that a real run would create (no mount folder, no loop device, no image file).
 */
export function resolveTarget(spec: TargetSpec, options: Omit<InstallOptions, "diskEncryptionKeys">): ResultAsync<ResolvedTarget, NixosViaError> {
  const closeOnly = (target: Target) => () => target.close();
  switch (spec.kind) {
    case "dir":
      return createDirTarget(spec.path).map((target) => ({ target, discard: closeOnly(target) }));
    case "disk": {
      if (options.dryRun) {
        const target = hostTarget(spec.uri, PLANNED_ROOT);
        return checkBlockDevice(target, spec.device, spec.uri).map(() => ({ target, device: spec.device, discard: closeOnly(target) }));
      }
      if (!options.wipe.includes(spec.device)) {
        return errAsync(
          new TargetUnusableError(spec.uri, `installing onto ${spec.device} erases it: pass --wipe ${spec.device} to allow that (nothing was touched)`),
        );
      }
      return createDiskTarget(spec.device, { wipe: spec.device }).map((target) => ({ target, device: target.device, discard: closeOnly(target) }));
    }
    case "image": {
      if (options.dryRun) {
        const target = hostTarget(spec.uri, PLANNED_ROOT);
        return okAsync({ target, device: "/dev/loopN", discard: closeOnly(target) });
      }
      return createImageTarget(spec.file, { createSize: options.imageSize }).map((target) => ({ target, device: target.device, discard: () => target.discard() }));
    }
    case "ssh": {
      if (options.layout === undefined && options.root === undefined) {
        return errAsync(new UsageError(`installing over SSH needs --layout FILE (to partition the disks) or --root DIR (disks mounted there already)`));
      }
      if (options.layout !== undefined && options.wipe.length === 0) {
        return errAsync(new UsageError(`installing ${spec.uri} with a layout erases its disks: name them with --wipe DEVICE (nothing was touched)`));
      }
      return createSshTarget(spec.host, {
        user: spec.user,
        port: spec.port,
        identityFiles: options.identity,
        knownHostsFile: options.knownHosts,
        acceptNewHostKey: options.acceptNewHostKey ?? false,
        configFile: options.sshConfig,
        askSudoPassword: () => askPassword(`[sudo] password on ${spec.host}: `, options.sudoPasswordStdin ?? false),
        root: options.root ?? "/mnt",
      }).map((target) => ({
        target,
        device: options.wipe.length === 1 ? options.wipe[0] : undefined,
        discard: closeOnly(target),
      }));
    }
  }
}
