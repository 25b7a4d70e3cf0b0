import { shellQuote } from "../target/shellQuote.js";
import type { Phase, RunStep, Step } from "./Step.js";

/**
 * Phases whose commands run back to back after the copy (register, the profile, the
 * activation of an install): on a remote target each command is a round trip or two
 * (a channel, the exec request, its exit), so the runner runs them as one command.
 */
const FOLDABLE: ReadonlySet<Phase> = new Set<Phase>(["register", "profile", "activate"]);

/**
 * Whether `step` may join a folded command: a plain run step of a foldable phase that
 * hands nothing on (no capture) and reads no secret; only the group's first step may read
 * stdin (the later ones get /dev/null).
 */
function foldable(step: Step, first: boolean): step is RunStep {
  return (
    step.kind === "run" &&
    FOLDABLE.has(step.phase) &&
    step.capture === undefined &&
    step.secretStdin === undefined &&
    (first || step.stdin === undefined || step.stdin === "")
  );
}

/**
 * How many steps from `start` on run as one command: the adjacent foldable run steps
 * (1 when the step at `start` runs alone).
 */
export function foldedLength(steps: readonly Step[], start: number): number {
  if (!foldable(steps[start]!, true)) return 1;
  let end = start + 1;
  while (end < steps.length && foldable(steps[end]!, false)) end++;
  return end - start;
}

/**
 * The one command that runs `steps` in order, each with its own environment, stopping at
 * the first that fails with its exit code. After each step that succeeded it writes
 * `<tag> <i>` (i counted from 0) as a line of its own on stderr, so the runner can end
 * that step and start the next as they happen, and tell which one failed.
 *
 * @example
 * ```ts
 * target.exec(foldedArgv([register, profile], "nixos-via-step-1a2b"), { stdin: register.stdin });
 * ```
 */
export function foldedArgv(steps: readonly RunStep[], tag: string): string[] {
  const lines = steps.map((s, i) => {
    const command = shellQuote(s.argv, s.env ?? {});
    // Before the mark, a newline if the step's stderr did not end with one is not known
    // here: the runner finds the mark at the end of a line, so a partial line still ends it.
    return `${command}${i === 0 ? "" : " < /dev/null"} || exit $?\nprintf '%s %s\\n' "$1" ${i} >&2`;
  });
  return ["sh", "-c", lines.join("\n"), "nixos-via-steps", tag];
}

/**
 * Reads a folded command's stderr line: the index of the step it marks as done, with any
 * text of the step before the mark (a last line without its newline), or undefined for an
 * ordinary line.
 */
export function parseFoldMark(line: string, tag: string): { readonly done: number; readonly before: string } | undefined {
  const m = new RegExp(`(?:^|(.*?))${tag} (\\d+)$`).exec(line);
  if (m === null) return undefined;
  return { done: Number(m[2]), before: m[1] ?? "" };
}
