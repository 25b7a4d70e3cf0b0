import type { Result, ResultAsync } from "neverthrow";
import type { NixosViaError, UsageError } from "../errors/index.js";
import type { Target } from "./Target.js";

/** How to reach a machine over a connection; transports that need none ignore it. */
export interface ConnectionOptions {
  /** Private keys to offer. @default the user's defaults (agent, ~/.ssh/id_*) */
  readonly identityFiles?: readonly string[] | undefined;
  /** The known-hosts file. @default ~/.ssh/known_hosts */
  readonly knownHostsFile?: string | undefined;
  /** Trust and record a host key seen for the first time (a changed key is always refused). @default false */
  readonly acceptNewHostKey?: boolean | undefined;
  /** The client config file; `false` reads none. @default ~/.ssh/config */
  readonly configFile?: string | false | undefined;
  /** Asked once when the login needs sudo with a password; the answer never leaves the connection. */
  readonly askSudoPassword?: (() => Promise<string>) | undefined;
}

/** What an operation asks of a transport when it opens a target. */
export interface OpenTargetOptions {
  /** `install` may create what the run writes (an image file); `system` opens a root that holds a system. */
  readonly purpose: "install" | "system";
  /** Open nothing a real run would create or attach (no image file, loop device, mount folder). @default false */
  readonly dryRun?: boolean | undefined;
  /** Devices the user allows to be erased, each named exactly. @default [] */
  readonly wipe?: readonly string[] | undefined;
  /** The size of an image this run creates, in bytes. */
  readonly imageSize?: number | undefined;
  /** Where the system's root is on the target, for transports whose root is not given by the URI. */
  readonly root?: string | undefined;
  readonly connection?: ConnectionOptions | undefined;
}

/** A target a transport opened, and what an install needs to know about it. */
export interface OpenedTarget {
  readonly target: Target;
  /** The whole disk a one-disk layout goes onto, when the target is one (disk:, image:). */
  readonly device?: string | undefined;
  /** Releases the target after a failure, deleting what this run created (a new image). */
  discard(): ResultAsync<void, NixosViaError>;
}

/** What an install onto this kind of target may be given, beyond the system. */
export type InstallOption = "layout" | "wipe" | "disks" | "imageSize" | "root" | "reboot" | "waitTimeout" | "copyHostKeys" | "extraFiles" | "kexec";

/**
 * A way to reach targets, registered under its URI scheme (viem's transports and
 * unstorage's drivers are the model): `parse` reads a URI, `open` returns a {@link Target}.
 * Adding a transport is one object and one registration.
 *
 * @example
 * ```ts
 * const opened = await dirTransport.open(dirTransport.parse("dir:/srv/web")._unsafeUnwrap(), { purpose: "system" });
 * ```
 */
export interface Transport<Spec extends { readonly uri: string } = { readonly uri: string }> {
  /** The URI scheme, without the colon: `dir` for `dir:PATH`, `ssh` for `ssh://host`. */
  readonly scheme: string;
  /** A line for help texts: `dir:PATH`. */
  readonly usage: string;
  /** The target can hold an installed system that deploy, rollback, gc and generations act on. */
  readonly holdsSystem: boolean;
  /** The install options that mean something for this target; others are refused, not ignored. */
  readonly installOptions: readonly InstallOption[];
  /** Where a layout's disks are: none (a directory), the target itself, or devices named on the target. */
  readonly layoutDisks: "none" | "target" | "named";
  parse(uri: string): Result<Spec, UsageError>;
  open(spec: Spec, options: OpenTargetOptions): ResultAsync<OpenedTarget, NixosViaError>;
}
