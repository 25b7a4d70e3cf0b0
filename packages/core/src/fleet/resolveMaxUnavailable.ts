import { err, ok, type Result } from "neverthrow";
import { UsageError } from "../errors/index.js";

/**
 * How many hosts one wave may take down: a count (`3`) or a share of the hosts the rollout
 * acts on (`"25%"`, rounded up), never less than one.
 *
 * @example
 * ```ts
 * resolveMaxUnavailable("25%", 10) // ok(3)
 * ```
 */
export function resolveMaxUnavailable(value: number | string, hosts: number): Result<number, UsageError> {
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent !== null) {
    const share = Number(percent[1]);
    if (share > 0 && share <= 100) return ok(Math.max(1, Math.ceil((share / 100) * hosts)));
  } else if (/^\d+$/.test(text) && Number(text) >= 1) {
    return ok(Number(text));
  }
  return err(new UsageError(`--max-unavailable ${text}: give a count of hosts (at least 1) or a share such as 25%`));
}
