import { closureBytes, type Closure, type StorePathInfo } from "./StorePathInfo.js";

/** What has to travel: the closure's paths the target has not registered, in reference order. */
export interface CopyPlan {
  /** Paths to send, in reference order. */
  readonly missing: readonly StorePathInfo[];
  /** How many of the closure's paths the target already has registered. */
  readonly present: number;
  /** How many are not registered but complete in the staging folder (left by a cut run): they need registering, not sending. */
  readonly staged: number;
  /** Sum of the NAR sizes of `missing`. */
  readonly bytes: number;
}

/**
 * Diffs a closure against the paths a target has *registered* (a path that is on the
 * target's disk but not in its Nix database counts as missing: it may be half-copied),
 * and those a cut run left complete in the staging folder, which need not travel again.
 *
 * @example
 * ```ts
 * const plan = planCopy(closure, new Set(["/nix/store/…-glibc-2.39"]));
 * console.log(`${plan.missing.length} paths, ${plan.bytes} bytes to copy`);
 * ```
 */
export function planCopy(closure: Closure, registered: ReadonlySet<string>, staged: ReadonlySet<string> = new Set()): CopyPlan {
  const missing = closure.paths.filter((p) => !registered.has(p.path) && !staged.has(p.path));
  const present = closure.paths.filter((p) => registered.has(p.path)).length;
  return { missing, present, staged: closure.paths.length - missing.length - present, bytes: closureBytes(missing) };
}
