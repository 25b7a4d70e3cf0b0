/**
 * Orders host names as people count them: `web-2` before `web-10`. Every list of hosts
 * (the plan, the waves, the summary) is in this order, so runs are reproducible.
 *
 * @example
 * ```ts
 * ["web-10", "web-2"].sort(compareHostNames) // ["web-2", "web-10"]
 * ```
 */
export function compareHostNames(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
