import { formatPlan, type Plan } from "@nixos-via/core";
import type { Io } from "../Io.js";

/** A dry run's output: the plan as `--dry-run` text on stdout, or one `plan` event with `--json`. */
export function printPlan(io: Io, plan: Plan, options: { readonly json?: boolean | undefined; readonly text?: string }): void {
  if (options.json) io.stdout.write(`${JSON.stringify({ type: "plan", dryRun: true, plan })}\n`);
  else io.stdout.write(options.text ?? formatPlan(plan));
}
