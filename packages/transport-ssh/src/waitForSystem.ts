import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { AbortedError, NixosViaError } from "@nixos-via/core";
import type { SshTarget } from "./createSshTarget.js";

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
  constructor(message: string, options: { details?: string } = {}) {
    super("SYSTEM_NOT_UP", message, options);
  }
}

/**
 * After a reboot: reconnects until the host answers over SSH running `toplevel`. The new
 * system's host key, read over the trusted connection before the reboot, is the only new
 * key trusted (and recorded in known_hosts); any other key is refused as usual.
 *
 * @example
 * ```ts
 * await waitForSystem(target, { toplevel, hostKey: captured.hostKey });
 * ```
 */
export function waitForSystem(target: SshTarget, options: WaitForSystemOptions): ResultAsync<void, NixosViaError> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const interval = options.intervalMs ?? 3000;
  const blob = options.hostKey?.trim().split(/\s+/)[1];
  let last = "no attempt yet";
  const attempt = (): ResultAsync<void, NixosViaError> =>
    ResultAsync.fromSafePromise(new Promise((r) => setTimeout(r, interval)))
      .andThen(() => target.reconnect({ ...(blob ? { expectHostKey: blob } : {}), timeoutMs: 15_000 }))
      .andThen(() => target.exec(["readlink", "-f", "/run/current-system"]))
      .andThen((r) => {
        const current = r.stdout.trim();
        return current === options.toplevel ? okAsync(undefined) : errAsync(new SystemNotUpError(`running ${current || "no NixOS system"}`));
      })
      .orElse((e) => {
        last = e.message;
        options.onAttempt?.(last);
        if (e.code === "SSH_HOST_KEY_MISMATCH" || e.code === "SSH_HOST_KEY_UNKNOWN") return errAsync(e);
        if (options.signal?.aborted) return errAsync(new AbortedError(`stopped waiting for ${target.uri}; it was installed and rebooted`));
        if (Date.now() > deadline) {
          return errAsync(new SystemNotUpError(`${target.uri} did not come back running ${options.toplevel} in time (last: ${last})`));
        }
        return attempt();
      });
  return attempt();
}
