import type { Target } from "../target/Target.js";
import type { RollbackCause } from "./SwitchOutcome.js";

/** Options of {@link runHealthChecks}. */
export interface RunHealthChecksParameters {
  readonly checks: readonly string[];
  /** Per check; fractions allowed. */
  readonly timeoutS: number;
  readonly signal?: AbortSignal | undefined;
  readonly onNote?: ((message: string) => void) | undefined;
}

/**
 * Runs each check as `sh -c CHECK` on the target, in order, until one fails. A check
 * that outlives `timeoutS`, or is running when `signal` aborts, is stopped through the
 * transport (the command on the target is signalled). Returns why to roll back, or
 * undefined when all passed.
 */
export async function runHealthChecks(target: Target, p: RunHealthChecksParameters): Promise<RollbackCause | undefined> {
  for (const check of p.checks) {
    if (p.signal?.aborted) return { kind: "aborted" };
    const cause = await runHealthCheck(target, check, p);
    if (cause !== undefined) {
      p.onNote?.(describeFailure(cause, check));
      return cause;
    }
    p.onNote?.(`health check passed: ${check}`);
  }
  return p.signal?.aborted ? { kind: "aborted" } : undefined;
}

async function runHealthCheck(target: Target, check: string, p: RunHealthChecksParameters): Promise<RollbackCause | undefined> {
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, p.timeoutS * 1000);
  const onAbort = () => stop.abort();
  p.signal?.addEventListener("abort", onAbort, { once: true });
  // The race keeps the deployer's promise even if a transport were slow to give up.
  const stopped = new Promise<"stopped">((resolve) => stop.signal.addEventListener("abort", () => resolve("stopped"), { once: true }));
  try {
    const r = await Promise.race([target.exec(["sh", "-c", check], { signal: stop.signal }), stopped]);
    if (p.signal?.aborted) return { kind: "aborted", check };
    if (timedOut || r === "stopped") return { kind: "health-check-timed-out", check, timeoutS: p.timeoutS };
    if (r.isErr()) return { kind: "health-check-failed", check, message: r.error.message };
    return r.value.exitCode === 0 ? undefined : { kind: "health-check-failed", check, exitCode: r.value.exitCode };
  } finally {
    clearTimeout(timer);
    p.signal?.removeEventListener("abort", onAbort);
  }
}

function describeFailure(cause: RollbackCause, check: string): string {
  switch (cause.kind) {
    case "health-check-timed-out":
      return `health check timed out after ${cause.timeoutS}s and was stopped: ${check}`;
    case "aborted":
      return `health check stopped: ${check}`;
    default:
      return `health check failed: ${check}`;
  }
}
