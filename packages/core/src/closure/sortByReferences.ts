import { err, ok, type Result } from "neverthrow";
import { ClosureReadError } from "../errors/index.js";
import type { StorePathInfo } from "./StorePathInfo.js";

/**
 * Orders store paths so that every path comes after the paths it refers to (self
 * references ignored). Ties are broken by path name, so the order is deterministic and
 * plans built from it can be snapshot-tested. References outside the given set are
 * allowed: they are what the target already has.
 *
 * @example
 * ```ts
 * sortByReferences(infos).map((ordered) => ordered.map((p) => p.path));
 * ```
 */
export function sortByReferences(paths: readonly StorePathInfo[]): Result<StorePathInfo[], ClosureReadError> {
  const byPath = new Map(paths.map((p) => [p.path, p]));
  const sorted: StorePathInfo[] = [];
  const state = new Map<string, "visiting" | "done">();
  const names = [...byPath.keys()].sort();

  // Iterative depth-first search: closures of thousands of paths must not hit the stack limit.
  for (const start of names) {
    if (state.has(start)) continue;
    const stack: { path: string; refs: string[]; next: number }[] = [];
    const push = (path: string): void => {
      state.set(path, "visiting");
      const refs = [...(byPath.get(path)?.references ?? [])].filter((r) => r !== path && byPath.has(r)).sort();
      stack.push({ path, refs, next: 0 });
    };
    push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.refs.length) {
        const ref = top.refs[top.next++]!;
        const s = state.get(ref);
        if (s === "visiting") return err(new ClosureReadError(`store paths refer to each other in a cycle through ${ref}`));
        if (s === undefined) push(ref);
      } else {
        stack.pop();
        state.set(top.path, "done");
        sorted.push(byPath.get(top.path)!);
      }
    }
  }
  return ok(sorted);
}
