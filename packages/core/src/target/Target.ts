import type { ResultAsync } from "neverthrow";
import type { NixosViaError, TransportError } from "../errors/index.js";

/** Input for a command: text, bytes, or a stream of bytes (a closure on its way). */
export type ExecInput = string | Uint8Array | AsyncIterable<Uint8Array>;

/** Options of {@link Target.exec}. */
export interface ExecOptions {
  /** Bytes written to the command's standard input, which is then closed. @default nothing (empty) */
  readonly stdin?: ExecInput;
  /** Extra environment variables (never secrets: they may show in process lists). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Stops the command. @default never */
  readonly signal?: AbortSignal;
  /** Receives standard output as it arrives (it is also collected in the result). */
  readonly onStdout?: (chunk: Uint8Array) => void;
  /** Receives standard error as it arrives (it is also collected in the result). */
  readonly onStderr?: (chunk: Uint8Array) => void;
}

/** How a command ended. A non-zero exit is a result, not an error: the caller decides. */
export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a target can do, as plain flags (unstorage's driver flags are the model). */
export interface TargetCapabilities {
  /** The target runs commands as root (directly or through sudo). */
  readonly root: boolean;
  /** Commands run on another machine: bytes cross a network, so copies are compressed. */
  readonly remote: boolean;
  /**
   * The root is a tree on this machine (a directory, a mounted disk or image), not a
   * running machine's own: its store is read and changed with this machine's Nix
   * (`nix-store --store local?root=…`), never with programs from the root, which would run
   * as this machine's root. Only activation and the bootloader run the system's own code.
   */
  readonly hostNix: boolean;
  /**
   * The root is the running system (`/` of a live machine): a deploy switches it in place,
   * detached from the connection, instead of activating a stored root inside a chroot.
   */
  readonly running: boolean;
}

/** Options of {@link Target.reconnect}. */
export interface ReconnectOptions {
  /** Trust exactly this new host key (base64 blob) and record it: the machine's new identity. */
  readonly expectHostKey?: string;
  readonly timeoutMs?: number;
}

/**
 * Where a system goes: a small interface every transport implements. Commands are argv
 * arrays; a transport that needs a shell string (SSH) quotes them in one place.
 *
 * @example
 * ```ts
 * const result = await target.exec(["uname", "-m"]);
 * if (result.isOk()) console.log(result.value.stdout.trim());
 * ```
 */
export interface Target {
  /** The URI the user gave, e.g. `dir:/srv/roots/web`. */
  readonly uri: string;
  /** The directory, in the target's own filesystem, that is (or becomes) the system's `/`. */
  readonly root: string;
  readonly capabilities: TargetCapabilities;
  /** Runs a command to its end. Errs only when it could not run or the transport broke. */
  exec(argv: readonly string[], options?: ExecOptions): ResultAsync<ExecResult, TransportError>;
  /** Releases what the target holds (connections, loop devices, mounts). */
  close(): ResultAsync<void, TransportError>;
  /**
   * Targets reached over a connection can open a fresh one: after a drop, or to prove a
   * new system still lets the deployer in (magic rollback). Absent for local targets.
   */
  reconnect?(options?: ReconnectOptions): ResultAsync<void, NixosViaError>;
}
