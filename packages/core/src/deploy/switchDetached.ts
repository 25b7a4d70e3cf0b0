import { ResultAsync } from "neverthrow";
import { AbortedError, NixosViaError, TransportError } from "../errors/index.js";
import type { Target } from "../target/Target.js";
import { SWITCH_FOLLOW_SCRIPT, SWITCH_RUN_SCRIPT, SWITCH_START_SCRIPT } from "./switchScripts.js";

/** `switch-to-configuration` actions a deploy can run. */
export type SwitchAction = "switch" | "boot" | "test" | "dry-activate";

/** Options of {@link switchDetached}. */
export interface SwitchDetachedParameters {
  readonly action: SwitchAction;
  readonly toplevel: string;
  /** What to return to: the running toplevel, and the profile link to restore (none for `test`). */
  readonly previous?: { readonly toplevel: string; readonly link?: string | undefined } | undefined;
  /**
   * Magic rollback: confirm over a new connection within `confirmTimeoutS`, else the target
   * rolls back by itself. Needs a target that can reconnect. @default false
   */
  readonly magicRollback?: boolean | undefined;
  /** @default 30 */
  readonly confirmTimeoutS?: number | undefined;
  /** Shell commands run on the target after the switch; one failing rolls back. @default [] */
  readonly healthChecks?: readonly string[] | undefined;
  /** A name for this run's state folder under /run/nixos-via. */
  readonly id: string;
  /** The switch's output, as it arrives. */
  readonly onOutput?: ((line: string) => void) | undefined;
  /** Notes about the run itself (reconnecting, confirming). */
  readonly onNote?: ((message: string) => void) | undefined;
  /**
   * Stops waiting (Ctrl-C). The switch itself goes on on the target, detached; without a
   * confirmation a magic rollback then returns it to the previous generation.
   */
  readonly signal?: AbortSignal | undefined;
}

/** How a switch ended. */
export type SwitchOutcome =
  | { readonly kind: "done" }
  | { readonly kind: "confirmed" }
  | { readonly kind: "rolled-back"; readonly reason: string }
  | { readonly kind: "failed"; readonly exitCode: number };

/** The deploy did not stick: the target went back to the previous generation. */
export class DeployRolledBackError extends NixosViaError {
  constructor(message: string, options: { details?: string } = {}) {
    super("DEPLOY_ROLLED_BACK", message, options);
  }
}

/**
 * Runs `switch-to-configuration ACTION` on the target detached from the connection, so a
 * dropped connection or an SSH server restart cannot leave a half-switched system. Its
 * output streams back while the connection lasts; after a drop the deployer reconnects
 * and reads the real outcome. With magic rollback (or health checks) the target waits for
 * a verdict: the deployer opens a new connection, runs the health checks there, and
 * confirms; without a confirmation in time the target rolls itself back.
 *
 * @example
 * ```ts
 * const outcome = await switchDetached(target, { action: "switch", toplevel, previous, magicRollback: true, id: "1" });
 * ```
 */
export function switchDetached(target: Target, p: SwitchDetachedParameters): ResultAsync<SwitchOutcome, NixosViaError> {
  return ResultAsync.fromPromise(run(target, p), (e) =>
    e instanceof NixosViaError ? e : new TransportError(String(e), { cause: e }),
  );
}

const GRACE_S = 90;

async function run(target: Target, p: SwitchDetachedParameters): Promise<SwitchOutcome> {
  const dir = `/run/nixos-via/switch-${p.id}`;
  const timeout = p.confirmTimeoutS ?? 30;
  const checks = p.healthChecks ?? [];
  const verdict = (p.magicRollback ?? false) || checks.length > 0;
  if (p.magicRollback && target.reconnect === undefined) {
    throw new NixosViaError("USAGE", `magic rollback needs a target reached over a connection; ${target.uri} is not`);
  }
  const started = await target.exec(
    ["sh", "-c", SWITCH_START_SCRIPT, "nixos-via-switch-start", dir, p.action, p.toplevel, p.previous?.toplevel ?? "", p.previous?.link ?? "", verdict ? "1" : "0", String(timeout)],
    { stdin: SWITCH_RUN_SCRIPT },
  );
  if (started.isErr()) throw started.error;
  if (started.value.exitCode !== 0 || !started.value.stdout.includes("started")) {
    throw new NixosViaError("SWITCH_START", `could not start the switch on ${target.uri}`, { details: started.value.stderr });
  }

  let offset = 0;
  const stopped = () => {
    if (p.signal?.aborted) {
      throw new AbortedError(
        `stopped waiting for the switch on ${target.uri}; it goes on there` +
          (verdict ? " and, unconfirmed, rolls back to the previous generation" : "") +
          ` (see nixos-via generations ${target.uri})`,
      );
    }
  };
  /** Follows the log until `until` exists; reconnects after drops until `deadline`. */
  const follow = async (until: "status" | "outcome", deadline: number): Promise<string> => {
    for (;;) {
      stopped();
      let pending = "";
      const r = await target.exec(["sh", "-c", SWITCH_FOLLOW_SCRIPT, "nixos-via-switch-follow", dir, String(offset), until], {
        onStdout: (chunk) => {
          offset += chunk.byteLength;
          const lines = (pending + new TextDecoder().decode(chunk)).split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) p.onOutput?.(line);
        },
        ...(p.signal ? { signal: p.signal } : {}),
      });
      if (pending !== "") p.onOutput?.(pending);
      if (r.isOk()) {
        const state = /nixos-via-state=(.*)/.exec(r.value.stderr)?.[1];
        if (state !== undefined) return state.trim();
        throw new NixosViaError("SWITCH_FOLLOW", `lost track of the switch on ${target.uri}`, { details: r.value.stderr });
      }
      stopped();
      p.onNote?.(`the connection dropped (${r.error.message}); reconnecting to learn the outcome`);
      await reconnectUntil(target, deadline, p.onNote, p.signal);
    }
  };

  const switchDeadline = Date.now() + (timeout + GRACE_S) * 1000;
  const status = Number(await follow("status", switchDeadline));
  stopped();
  if (status !== 0 || !verdict) return parseOutcome(await follow("outcome", switchDeadline));

  // The verdict: a fresh connection proves the new system lets us in; checks run there.
  const confirmDeadline = Date.now() + timeout * 1000;
  let reachable = true;
  if (p.magicRollback) {
    p.onNote?.(`confirming over a new connection (the target rolls back in ${timeout}s without it)`);
    reachable = await reconnectUntil(target, confirmDeadline, p.onNote, p.signal).then(
      () => true,
      () => false,
    );
  }
  if (reachable) {
    let failed: string | undefined;
    for (const check of checks) {
      const r = await target.exec(["sh", "-c", check]);
      if (r.isErr() || r.value.exitCode !== 0) {
        failed = `health check failed: ${check}`;
        p.onNote?.(failed);
        break;
      }
      p.onNote?.(`health check passed: ${check}`);
    }
    const mark = failed === undefined
      ? await target.exec(["touch", `${dir}/confirmed`])
      : await target.exec(["sh", "-c", 'printf "%s\\n" "$2" > "$1/rollback"', "nixos-via-rollback", dir, failed]);
    if (mark.isErr()) p.onNote?.(`could not deliver the verdict (${mark.error.message}); the target decides by its timeout`);
  } else {
    p.onNote?.(`could not reach ${target.uri} over a new connection within ${timeout}s; it rolls back by itself`);
  }
  // After a rollback the old system answers again: wait for it and read what happened.
  return parseOutcome(await follow("outcome", Date.now() + (timeout + GRACE_S) * 1000));
}

async function reconnectUntil(target: Target, deadline: number, onNote?: (m: string) => void, signal?: AbortSignal): Promise<void> {
  if (target.reconnect === undefined) throw new TransportError(`${target.uri} cannot reconnect`);
  let last = "";
  while (Date.now() < deadline && !signal?.aborted) {
    const r = await target.reconnect({ timeoutMs: Math.max(2000, Math.min(10_000, deadline - Date.now())) });
    if (r.isOk()) return;
    if (r.error.code === "SSH_HOST_KEY_MISMATCH" || r.error.code === "SSH_HOST_KEY_UNKNOWN") throw r.error;
    if (r.error.message !== last) onNote?.(`reconnect failed: ${r.error.message}`);
    last = r.error.message;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new TransportError(`could not reconnect to ${target.uri} in time (${last})`);
}

function parseOutcome(state: string): SwitchOutcome {
  if (state === "done") return { kind: "done" };
  if (state === "confirmed") return { kind: "confirmed" };
  if (state.startsWith("rolled-back")) return { kind: "rolled-back", reason: state.slice("rolled-back".length).trim() };
  const m = /^failed (\d+)/.exec(state);
  return { kind: "failed", exitCode: m ? Number(m[1]) : 1 };
}
