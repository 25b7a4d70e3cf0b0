import { NixosViaError } from "../errors/NixosViaError.js";
import { printable } from "./printable.js";

/** One thing wrong with a layout, at a JSON path such as `disk.main.content.partitions.root.size`. */
export interface LayoutProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * A layout cannot be used as given. It carries every problem found, not just the first:
 * `message` is the first problem and the count, `details` lists them all, one per line,
 * each as `<path>: <message>`.
 *
 * @example
 * ```ts
 * const result = parseLayout(json);
 * if (result.isErr()) for (const p of result.error.problems) console.error(`${p.path}: ${p.message}`);
 * ```
 */
export class LayoutValidationError extends NixosViaError {
  declare readonly code: "LAYOUT_INVALID";
  readonly problems: readonly LayoutProblem[];

  constructor(problems: readonly LayoutProblem[], options: { cause?: unknown } = {}) {
    const lines = problems.map(formatProblem);
    const first = lines[0] ?? "the layout is invalid";
    const message = problems.length > 1 ? `${first} (and ${problems.length - 1} more problem${problems.length === 2 ? "" : "s"})` : first;
    super("LAYOUT_INVALID", message, { details: lines.join("\n"), cause: options.cause });
    this.problems = problems;
  }
}

/** Paths hold the layout's own keys: control characters show as escapes, never raw on a terminal. */
function formatProblem(problem: LayoutProblem): string {
  return printable(problem.path === "" ? problem.message : `${problem.path}: ${problem.message}`);
}
