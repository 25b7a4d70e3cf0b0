import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { AbortedError, NixosViaError } from "../errors/index.js";
import { reconnectUntil } from "./reconnectUntil.js";
import type { Target } from "./Target.js";

/** Options of {@link waitForSystem}. */
export interface WaitForSystemOptions {
  /** The toplevel `/run/current-system` must point at. */
  readonly toplevel: string;
  /** The new system's host public key line (`ssh-ed25519 AAAA… comment`), learnt before the reboot. */
  readonly hostKey?: string | undefined;
  /** @default 600000 (software-emulated machines boot slowly) */
  readonly timeoutMs?: number | undefined;
  /** @default 3000 */
  readonly intervalMs?: number | undefined;
  /** Called after each failed attempt, with why. */
  readonly onAttempt?: ((reason: string) => void) | undefined;
  /** Stops waiting (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
}

/** The machine did not come back running the new system in time. */
export class SystemNotUpError extends NixosViaError {
  declare readonly code: "SYSTEM_NOT_UP";
  constructor(message: string, options: { details?: string } = {}) {
    super("SYSTEM_NOT_UP", message, options);
  }
}

/**
 * After a reboot: reconnects until the machine answers running `toplevel`. The new
 * system's host key, read over the trusted connection before the reboot, is the only new
 * key trusted (and recorded); any other key is refused as usual.
 *
 * @example
 * ```ts
 * await waitForSystem(target, { toplevel, hostKey: summary.outputs.hostKey });
 * ```
 */
export function waitForSystem(target: Target, options: WaitForSystemOptions): ResultAsync<void, NixosViaError> {
  const blob = options.hostKey?.trim().split(/\s+/)[1];
  const runsToplevel = (): ResultAsync<void, NixosViaError> =>
    target.exec(["readlink", "-f", "/run/current-system"]).andThen((r) => {
      const current = r.stdout.trim();
      return current === options.toplevel ? okAsync(undefined) : errAsync(new SystemNotUpError(`running ${current || "no NixOS system"}`));
    });
  return reconnectUntil(target, {
    deadline: Date.now() + (options.timeoutMs ?? 600_000),
    intervalMs: options.intervalMs ?? 3000,
    expectHostKey: blob,
    ready: runsToplevel,
    onAttempt: options.onAttempt,
    onTimeout: (last) => new SystemNotUpError(`${target.uri} did not come back running ${options.toplevel} in time (last: ${last})`),
    signal: options.signal,
  }).mapErr((e) => (e instanceof AbortedError ? new AbortedError(`stopped waiting for ${target.uri}; it was installed and rebooted`) : e));
}
