import { COMMAND_MAX, shellQuote } from "../target/shellQuote.js";
import type { Phase, RunStep, Step } from "./Step.js";

/**
 * Phases whose commands run back to back after the copy (register, the profile, the
 * activation of an install): on a remote target each command is a round trip or two
 * (a channel, the exec request, its exit), so the runner runs them as one command, and
 * as part of the copy's own command when they follow it.
 */
const FOLDABLE: ReadonlySet<Phase> = new Set<Phase>(["register", "profile", "activate"]);

/**
 * The most stdin a folded step that does not come first may have: it travels inside the
 * command, as a here-document. A next generation's registration is mostly the references
 * of its toplevel and system-path (the benchmark's 5 new paths: 48 KiB, its toplevel naming
 * 700 packages). More, and the step runs as a command of its own, its stdin streamed; so
 * does a step that would make the whole command longer than {@link COMMAND_MAX}.
 */
export const INLINE_STDIN_MAX = 64 * 1024;

/** One command of a folded group: a run step, or the receiver of a copy. */
export interface FoldedCommand {
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Only for commands after the first, which read the command's own stdin. */
  readonly stdin?: string | undefined;
}

/** Text a here-document carries exactly: whole lines (it ends each with a newline), not too much. */
function inlinable(stdin: string | undefined): boolean {
  return stdin === undefined || stdin === "" || (stdin.endsWith("\n") && new TextEncoder().encode(stdin).byteLength <= INLINE_STDIN_MAX);
}

/**
 * Whether `step` may join a folded command: a plain run step of a foldable phase that
 * hands nothing on (no capture) and reads no secret; a step after the group's first
 * reads its stdin from the command itself, so only a small text ({@link INLINE_STDIN_MAX}).
 */
function foldable(step: Step, first: boolean): step is RunStep {
  return (
    step.kind === "run" &&
    FOLDABLE.has(step.phase) &&
    step.capture === undefined &&
    step.secretStdin === undefined &&
    (first || inlinable(step.stdin))
  );
}

/**
 * How many steps from `start` on run as one command: the adjacent foldable run steps, as
 * long as the whole command stays within {@link COMMAND_MAX} (1 when the step at `start`
 * runs alone).
 */
export function foldedLength(steps: readonly Step[], start: number): number {
  if (!foldable(steps[start]!, true)) return 1;
  return foldEnd(steps, start + 1, [steps[start] as RunStep]) - start;
}

/**
 * How many run steps after the copy at `index` run inside the copy's command, after its
 * receiver (0 when the step is no copy of store paths, or nothing foldable follows). Their
 * data is known before the copy starts, and the receiver's success is the stream's
 * (complete, checked): so a registration never runs after a failed or cut copy.
 */
export function foldedAfterCopy(steps: readonly Step[], index: number): number {
  const copy = steps[index];
  if (copy?.kind !== "copy-closure") return 0;
  return foldEnd(steps, index + 1, [{ argv: copy.receiver }]) - index - 1;
}

/**
 * Where the steps from `from` on that join `group` end: at the first that is not foldable,
 * or whose here-document would make the one command longer than {@link COMMAND_MAX}, the
 * most a target can exec (that step and the rest then run as commands of their own).
 */
function foldEnd(steps: readonly Step[], from: number, group: readonly FoldedCommand[]): number {
  let end = from;
  for (; end < steps.length && foldable(steps[end]!, false); end++) {
    const joined = [...group, steps[end] as RunStep];
    if (foldedCommandBytes(joined) > COMMAND_MAX) break;
    group = joined;
  }
  return end;
}

/** A tag for {@link foldedArgv}, unique to a run, always {@link TAG_LENGTH} long. */
export function foldTag(): string {
  return `nixos-via-step-${Math.random().toString(36).slice(2, 12).padEnd(10, "0")}`;
}
const TAG_LENGTH = foldTag().length;

/** The bytes of the command {@link foldedArgv} makes of `commands`, as a remote target gets it (quoted). */
export function foldedCommandBytes(commands: readonly FoldedCommand[]): number {
  return new TextEncoder().encode(shellQuote(foldedArgv(commands, "t".repeat(TAG_LENGTH)))).byteLength;
}

/**
 * The one command that runs `commands` in order, each with its own environment, stopping
 * at the first that fails with its exit code. The first reads the command's stdin; each
 * later one its own `stdin` as a here-document, or /dev/null. After each command that
 * succeeded it writes `<tag> <i>` (i counted from 0) as a line of its own on stderr, so the
 * runner can end that step and start the next as they happen, and tell which one failed.
 *
 * @example
 * ```ts
 * target.exec(foldedArgv([register, profile], "nixos-via-step-1a2b"), { stdin: register.stdin });
 * ```
 */
export function foldedArgv(commands: readonly FoldedCommand[], tag: string): string[] {
  const lines = commands.map((s, i) => {
    const command = shellQuote(s.argv, s.env ?? {});
    // A here-document ends at a line holding only its delimiter: the tag is this run's own.
    const delimiter = `${tag}-stdin-${i}`;
    const input = i === 0 ? "" : s.stdin === undefined || s.stdin === "" ? " < /dev/null" : ` <<'${delimiter}'`;
    const document = i === 0 || input === " < /dev/null" ? "" : `\n${s.stdin!}${delimiter}`;
    // Before the mark, a newline if the step's stderr did not end with one is not known
    // here: the runner finds the mark at the end of a line, so a partial line still ends it.
    return `${command}${input} || exit $?${document}\nprintf '%s %s\\n' "$1" ${i} >&2`;
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
