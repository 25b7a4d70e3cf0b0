import { ResultAsync } from "neverthrow";
import { AbortedError, NixosViaError, TransportError } from "../errors/index.js";
import { profilePaths } from "../activation/profilePaths.js";
import type { SwitchAction } from "../pipeline/Step.js";
import { reconnectUntil } from "../target/reconnectUntil.js";
import type { Target } from "../target/Target.js";
import { runHealthChecks } from "./runHealthChecks.js";
import { parseSwitchOutcome, type RollbackCause, type SwitchOutcome } from "./SwitchOutcome.js";
import { SWITCH_FOLLOW_SCRIPT, SWITCH_ROLLBACK_REQUEST_SCRIPT, SWITCH_RUN_SCRIPT, SWITCH_START_SCRIPT } from "./switchScripts.js";


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
  /**
   * Seconds each health check may run; one running longer is stopped and rolls back. The
   * target waits for its verdict this long per check on top of `confirmTimeoutS`. @default 60
   */
  readonly healthTimeoutS?: number | undefined;
  /** A name for this run's state folder under /run/nixos-via. */
  readonly id: string;
  /** The switch's output, as it arrives. */
  readonly onOutput?: ((line: string) => void) | undefined;
  /** Notes about the run itself (reconnecting, confirming). */
  readonly onNote?: ((message: string) => void) | undefined;
  /**
   * Stops waiting (Ctrl-C). The switch itself goes on on the target, detached; without a
   * confirmation a magic rollback then returns it to the previous generation. During the
   * health checks it stops the running check and asks the target to roll back; the outcome
   * of that rollback is still read (cause `aborted`).
   */
  readonly signal?: AbortSignal | undefined;
}

/** The deploy did not stick: the target went back to the previous generation. */
export class DeployRolledBackError extends NixosViaError {
  declare readonly code: "DEPLOY_ROLLED_BACK";
  constructor(message: string, options: { details?: string } = {}) {
    super("DEPLOY_ROLLED_BACK", message, options);
  }
}

/** The deploy had to be rolled back, but the way back failed: the machine needs a look. */
export class DeployRollbackFailedError extends NixosViaError {
  declare readonly code: "DEPLOY_ROLLBACK_FAILED";
  constructor(message: string, options: { details?: string } = {}) {
    super("DEPLOY_ROLLBACK_FAILED", message, options);
  }
}

/** The deploy had to be rolled back, but the target had no previous generation to return to. */
export class DeployNoPreviousGenerationError extends NixosViaError {
  declare readonly code: "DEPLOY_NO_PREVIOUS_GENERATION";
  constructor(message: string, options: { details?: string } = {}) {
    super("DEPLOY_NO_PREVIOUS_GENERATION", message, options);
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
const LOG_TAIL_LINES = 40;
/** The running system's profile, which a rollback points back. */
const SYSTEM_PROFILE = profilePaths("/").system;

async function run(target: Target, p: SwitchDetachedParameters): Promise<SwitchOutcome> {
  const dir = `/run/nixos-via/switch-${p.id}`;
  const timeout = p.confirmTimeoutS ?? 30;
  const checks = p.healthChecks ?? [];
  const healthTimeout = p.healthTimeoutS ?? 60;
  const verdict = (p.magicRollback ?? false) || checks.length > 0;
  // The target must outwait the checks, or it would roll back while they still run.
  const verdictWait = timeout + Math.ceil(checks.length * healthTimeout);
  if (p.magicRollback && target.reconnect === undefined) {
    throw new NixosViaError("USAGE", `magic rollback needs a target reached over a connection; ${target.uri} is not`);
  }
  const started = await target.exec(
    ["sh", "-c", SWITCH_START_SCRIPT, "nixos-via-switch-start", dir, p.action, p.toplevel, p.previous?.toplevel ?? "", p.previous?.link ?? "", verdict ? "1" : "0", String(verdictWait), SYSTEM_PROFILE],
    { stdin: SWITCH_RUN_SCRIPT },
  );
  if (started.isErr()) throw started.error;
  if (started.value.exitCode !== 0 || !started.value.stdout.includes("started")) {
    throw new NixosViaError("SWITCH_START", `could not start the switch on ${target.uri}`, { details: started.value.stderr });
  }

  let offset = 0;
  const log: string[] = [];
  const onLine = (line: string) => {
    log.push(line);
    if (log.length > LOG_TAIL_LINES) log.shift();
    p.onOutput?.(line);
  };
  const stopped = (signal: AbortSignal | undefined) => {
    if (signal?.aborted) {
      throw new AbortedError(
        `stopped waiting for the switch on ${target.uri}; it goes on there` +
          (verdict ? " and, unconfirmed, rolls back to the previous generation" : "") +
          ` (see nixos-via generations ${target.uri})`,
      );
    }
  };
  /** Follows the log until `until` exists; reconnects after drops until `deadline`. */
  const follow = async (until: "status" | "outcome", deadline: number, signal: AbortSignal | undefined): Promise<string> => {
    for (;;) {
      stopped(signal);
      let pending = "";
      const r = await target.exec(["sh", "-c", SWITCH_FOLLOW_SCRIPT, "nixos-via-switch-follow", dir, String(offset), until], {
        onStdout: (chunk) => {
          offset += chunk.byteLength;
          const lines = (pending + new TextDecoder().decode(chunk)).split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) onLine(line);
        },
        ...(signal ? { signal } : {}),
      });
      if (pending !== "") onLine(pending);
      if (r.isOk()) {
        const state = /nixos-via-state=(.*)/.exec(r.value.stderr)?.[1];
        if (state !== undefined) return state.trim();
        throw new NixosViaError("SWITCH_FOLLOW", `lost track of the switch on ${target.uri}`, { details: r.value.stderr });
      }
      stopped(signal);
      p.onNote?.(`the connection dropped (${r.error.message}); reconnecting to learn the outcome`);
      await reconnectOrThrow(target, deadline, p.onNote, signal);
    }
  };
  const outcome = async (cause: RollbackCause, signal: AbortSignal | undefined) =>
    parseSwitchOutcome(await follow("outcome", Date.now() + (verdictWait + GRACE_S) * 1000, signal), cause, log);

  const status = Number(await follow("status", Date.now() + (verdictWait + GRACE_S) * 1000, p.signal));
  stopped(p.signal);
  const unconfirmed: RollbackCause = { kind: "not-confirmed", timeoutS: timeout };
  if (status !== 0) return outcome({ kind: "switch-failed", exitCode: status }, p.signal);
  if (!verdict) return outcome(unconfirmed, p.signal);

  // The verdict: a fresh connection proves the new system lets us in; checks run there.
  let reachable = true;
  if (p.magicRollback) {
    p.onNote?.(`confirming over a new connection (the target rolls back in ${timeout}s without it)`);
    reachable = await reconnectOrThrow(target, Date.now() + timeout * 1000, p.onNote, p.signal).then(
      () => true,
      () => false,
    );
  }
  if (!reachable) {
    p.onNote?.(`could not reach ${target.uri} over a new connection within ${timeout}s; it rolls back by itself`);
    return outcome(unconfirmed, p.signal);
  }
  const failed = await runHealthChecks(target, { checks, timeoutS: healthTimeout, signal: p.signal, onNote: p.onNote });
  const cause = failed ?? (await confirm(target, dir));
  if (cause === undefined) return outcome(unconfirmed, p.signal);
  if (cause.kind === "confirm-failed") {
    p.onNote?.(`could not confirm (${cause.message}); the target rolls back by itself in ${verdictWait}s`);
  } else {
    const asked = await target.exec(["sh", "-c", SWITCH_ROLLBACK_REQUEST_SCRIPT, "nixos-via-rollback", dir, rollbackReason(cause)]);
    const problem = asked.isErr() ? asked.error.message : asked.value.exitCode !== 0 ? asked.value.stderr.trim() : undefined;
    if (problem !== undefined) p.onNote?.(`could not ask for the rollback (${problem}); the target rolls back by itself in ${verdictWait}s`);
  }
  // After a Ctrl-C the rollback it asked for is still followed to its end (a second one exits).
  return outcome(cause, cause.kind === "aborted" ? undefined : p.signal);
}

/** Writes `DIR/confirmed`; returns a cause when that did not happen. */
async function confirm(target: Target, dir: string): Promise<RollbackCause | undefined> {
  const r = await target.exec(["touch", `${dir}/confirmed`]);
  if (r.isErr()) return { kind: "confirm-failed", message: r.error.message };
  if (r.value.exitCode !== 0) return { kind: "confirm-failed", message: r.value.stderr.trim() || `touch exited with ${r.value.exitCode}` };
  return undefined;
}

/** The one line the target logs and keeps in `outcome`. */
function rollbackReason(cause: RollbackCause): string {
  switch (cause.kind) {
    case "health-check-failed":
      return `health check failed: ${cause.check}`;
    case "health-check-timed-out":
      return `health check timed out after ${cause.timeoutS}s: ${cause.check}`;
    case "aborted":
      return "the deployer was stopped (Ctrl-C) during the health checks";
    default:
      return cause.kind;
  }
}

async function reconnectOrThrow(target: Target, deadline: number, onNote?: (m: string) => void, signal?: AbortSignal): Promise<void> {
  const r = await reconnectUntil(target, { deadline, onAttempt: (reason) => onNote?.(`reconnect failed: ${reason}`), signal });
  if (r.isErr()) throw r.error;
}
