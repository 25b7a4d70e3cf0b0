import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { listGenerations, planGc, runPlan, UsageError, type Plan, type Target } from "@nixos-via/core";
import type { GcError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";
import { normaliseDuration, type Duration } from "../options/normalise.js";
import { withSystemTarget, type SystemTargetOptions } from "./withSystemTarget.js";
import { requireSystemProfile } from "./requireSystemProfile.js";

/** Options of {@link gc}: exactly one of `keep` and `olderThan`. */
export interface GcParameters extends SystemTargetOptions {
  readonly target: string | Target;
  /** Keep this many generations: the current one, then the newest others. */
  readonly keep?: number | undefined;
  /** Remove generations older than this (never the current one): whole days, as `30d` or a number of seconds. */
  readonly olderThan?: Duration | undefined;
  /** Plan, touch nothing. @default false */
  readonly dryRun?: boolean | undefined;
}

/** What gc removed. */
export interface GcReport {
  readonly dryRun: boolean;
  readonly plan: Plan;
  /** Numbers of the generations removed (or, for a dry run, to remove). */
  readonly removed: readonly number[];
}

/**
 * Removes old generations of the system profile, then collects garbage with the target's
 * Nix (this machine's Nix for a root on this machine).
 *
 * @example
 * ```ts
 * await gc({ target: "ssh://web1", keep: 5 });
 * ```
 */
export function gc(parameters: GcParameters): ResultAsync<GcReport, GcError> {
  const { keep, olderThan } = parameters;
  if ((keep === undefined) === (olderThan === undefined)) return errAsync(new UsageError("name what to remove with exactly one of --keep N or --older-than DAYSd"));
  const olderThanS = normaliseDuration("--older-than", olderThan, 0);
  if (olderThanS.isErr()) return errAsync(olderThanS.error);
  const olderThanDays = olderThan === undefined ? undefined : olderThanS.value / 86_400;
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) return errAsync(new UsageError(`--keep ${keep}: keep at least 1 generation`));
  if (olderThanDays !== undefined && (!Number.isInteger(olderThanDays) || olderThanDays < 1)) return errAsync(new UsageError(`--older-than ${String(olderThan)}: give whole days, e.g. 30d`));
  return withErrorCodes(withSystemTarget(parameters.target, parameters, (target) =>
    requireSystemProfile(target).andThen(listGenerations).andThen((generations) => {
      const { remove, steps } = planGc(target, generations, { keep, olderThanDays });
      const current = generations.find((g) => g.current);
      const plan: Plan = { action: "gc", target: target.uri, toplevel: current?.toplevel ?? "", generation: current?.number ?? 0, copy: { paths: 0, bytes: 0, present: 0, staged: 0, total: 0 }, steps, cleanup: [] };
      const removed = remove.map((g) => g.number);
      if (parameters.dryRun) return okAsync<GcReport>({ dryRun: true, plan, removed });
      return runPlan(plan, { target, ...(parameters.onEvent ? { onEvent: parameters.onEvent } : {}), ...(parameters.signal ? { signal: parameters.signal } : {}) }).map(() => ({ dryRun: false, plan, removed }));
    }),
  ));
}
