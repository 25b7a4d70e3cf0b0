import { closureBytes, type Closure, type StorePathInfo } from "./StorePathInfo.js";

/** What has to travel: the closure's paths the target has not registered, in reference order. */
export interface CopyPlan {
  /** Paths to send, in reference order. */
  readonly missing: readonly StorePathInfo[];
  /** How many of the closure's paths the target already has registered. */
  readonly present: number;
  /** Sum of the NAR sizes of `missing`. */
  readonly bytes: number;
}

/**
 * Diffs a closure against the paths a target has *registered* (a path that is on the
 * target's disk but not in its Nix database counts as missing: it may be half-copied).
 *
 * @example
 * ```ts
 * const plan = planCopy(closure, new Set(["/nix/store/…-glibc-2.39"]));
 * console.log(`${plan.missing.length} paths, ${plan.bytes} bytes to copy`);
 * ```
 */
export function planCopy(closure: Closure, registered: ReadonlySet<string>): CopyPlan {
  const missing = closure.paths.filter((p) => !registered.has(p.path));
  return { missing, present: closure.paths.length - missing.length, bytes: closureBytes(missing) };
}
