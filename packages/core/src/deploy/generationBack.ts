import type { Generation, TargetFacts } from "../target/TargetFacts.js";

/**
 * The generation the profile goes back to when a switch to `failed` is undone by
 * switching to `system` again: one that points at `system` (the current one first, then
 * the newest). A system in no generation (activated by `test`, or its link collected)
 * sends the profile to the newest generation that is not the failed one, the current one
 * first: never left on the generation that failed.
 *
 * @example
 * ```ts
 * generationBack(facts, facts.runningSystem, toplevel)?.number
 * ```
 */
export function generationBack(facts: TargetFacts, system: string, failed: string): Generation | undefined {
  const current = facts.generations.filter((g) => g.number === facts.currentGeneration);
  const newestFirst = [...current, ...[...facts.generations].reverse()];
  return newestFirst.find((g) => g.toplevel === system) ?? newestFirst.find((g) => g.toplevel !== failed);
}
