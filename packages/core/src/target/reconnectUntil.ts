import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { AbortedError, TransportError, type ErrorCode, type NixosViaError } from "../errors/index.js";
import type { Target } from "./Target.js";

/** Options of {@link reconnectUntil}. */
export interface ReconnectUntilOptions {
  /** When to give up, as `Date.now()` milliseconds. */
  readonly deadline: number;
  /** Pause between attempts. @default 1000 */
  readonly intervalMs?: number | undefined;
  /** Trust exactly this new host key (base64 blob), as after an install's reboot. */
  readonly expectHostKey?: string | undefined;
  /** Also required of each new connection (e.g. "runs the new system"); a failure retries. */
  readonly ready?: (() => ResultAsync<void, NixosViaError>) | undefined;
  /** Called with why an attempt failed, once per new reason. */
  readonly onAttempt?: ((reason: string) => void) | undefined;
  /** The error for running out of time, given the last reason. @default a TransportError */
  readonly onTimeout?: ((last: string) => NixosViaError) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Errors no retry can fix: a host key that is wrong stays wrong. */
const FINAL: ReadonlySet<ErrorCode> = new Set(["SSH_HOST_KEY_MISMATCH", "SSH_HOST_KEY_UNKNOWN"]);

/**
 * Opens fresh connections to a target until one works (and passes `ready`) or the
 * deadline passes: the one loop behind the magic-rollback confirmation, following a switch
 * across a drop, and waiting for a rebooted machine.
 *
 * @example
 * ```ts
 * await reconnectUntil(target, { deadline: Date.now() + 30_000 });
 * ```
 */
export function reconnectUntil(target: Target, options: ReconnectUntilOptions): ResultAsync<void, NixosViaError> {
  const reconnect = target.reconnect;
  if (reconnect === undefined) return errAsync(new TransportError(`${target.uri} cannot reconnect`));
  const interval = options.intervalMs ?? 1000;
  let last = "no attempt yet";
  const attempt = (first: boolean): ResultAsync<void, NixosViaError> =>
    (first ? okAsync(undefined) : ResultAsync.fromSafePromise(new Promise<void>((r) => setTimeout(r, interval))))
      .andThen(() =>
        reconnect({
          ...(options.expectHostKey ? { expectHostKey: options.expectHostKey } : {}),
          timeoutMs: Math.max(2000, Math.min(15_000, options.deadline - Date.now())),
        }),
      )
      .andThen(() => options.ready?.() ?? okAsync(undefined))
      .orElse((e) => {
        if (FINAL.has(e.code)) return errAsync(e);
        if (e.message !== last) options.onAttempt?.(e.message);
        last = e.message;
        if (options.signal?.aborted) return errAsync(new AbortedError(`stopped reconnecting to ${target.uri}`));
        if (Date.now() >= options.deadline) {
          return errAsync(options.onTimeout?.(last) ?? new TransportError(`could not reconnect to ${target.uri} in time (${last})`));
        }
        return attempt(false);
      });
  return attempt(true);
}
