import { shellQuote } from "../target/shellQuote.js";
import type { Plan, RunStep, Step } from "./Step.js";

/**
 * Renders a plan as the text `--dry-run` prints: a summary, then every step with the
 * exact command it runs. Inline scripts (`sh -c SCRIPT NAME ARGS…`) show as `NAME ARGS…`
 * and each script's text is printed once at the end, so nothing that would run is hidden.
 *
 * @example
 * ```ts
 * process.stdout.write(formatPlan(plan));
 * ```
 */
export function formatPlan(plan: Plan): string {
  const header = [
    `${plan.action} ${plan.toplevel}`,
    `  to ${plan.target} as generation ${plan.generation}`,
    ...(plan.layout === undefined ? [] : [`  disk layout: ${plan.layout}`]),
    `  closure: ${plan.copy.total} paths; ${plan.copy.present} already registered; ` +
      (plan.copy.staged > 0 ? `${plan.copy.staged} ${plan.kexec === undefined ? "staged by an earlier run" : "from the installer's RAM"}; ` : "") +
      `${plan.copy.paths} to copy (${formatBytes(plan.copy.bytes)})`,
    ...(plan.copy.deltas === undefined
      ? []
      : [`  deltas: ${plan.copy.deltas} of them against their predecessors on the target; about ${formatBytes(plan.copy.estimatedBytes ?? 0)} to send (estimated)`]),
    ...(plan.copy.deltaNote === undefined ? [] : [`  deltas: ${plan.copy.deltaNote}`]),
    ...(plan.kexec === undefined
      ? []
      : plan.kexec.alreadyRunning === true
        ? [`  kexec installer: already running on the machine (an earlier run switched to it); no second kexec, ${plan.kexec.reusedPaths} store paths reach the disk from its RAM`]
        : [
            `  kexec installer: ${formatBytes(plan.kexec.uploadBytes)} to upload (kernel ${formatBytes(plan.kexec.kernelBytes)}, initrd ${formatBytes(plan.kexec.initrdBytes)}); ` +
              `${plan.kexec.reusedPaths} of its store paths (${formatBytes(plan.kexec.reusedBytes)}) are the closure's and reach the disk from RAM`,
            `  RAM: the switch needs ${formatBytes(plan.kexec.loadRamBytes)} free on the running system, the installer ${formatBytes(plan.kexec.installerRamBytes)} in all`,
          ]),
    "",
  ];
  return `${header.join("\n")}\n${formatSteps(plan.steps)}`;
}

/**
 * Renders steps, numbered, each with the exact command it runs; inline scripts are shown
 * by name and printed once at the end.
 *
 * @example
 * ```ts
 * process.stdout.write(formatSteps(layoutPlan.steps));
 * ```
 */
export function formatSteps(steps: readonly Step[]): string {
  const scripts = new Map<string, string>();
  const lines: string[] = [];
  for (const [i, step] of steps.entries()) {
    lines.push(`${String(i + 1).padStart(2)}. [${step.phase}] ${step.description}`);
    lines.push(`      $ ${commandLine(step, scripts)}`);
  }
  if (steps.length === 0) lines.push("nothing to do");
  for (const [name, text] of scripts) {
    lines.push("", `${name} is this script:`, ...text.trimEnd().split("\n").map((l) => `    ${l}`));
  }
  return `${lines.join("\n")}\n`;
}

type StepOf<K extends Step["kind"]> = Extract<Step, { kind: K }>;

/** How each kind of step shows what it runs: one entry per kind. */
const COMMAND_LINES: { readonly [K in Step["kind"]]: (step: StepOf<K>, scripts: Map<string, string>) => string } = {
  run: (step, scripts) => `${command(step.argv, step.env, scripts)}${runInput(step)}`,
  "copy-closure": (step, scripts) => `${command(step.receiver, {}, scripts)} < tar stream of ${step.paths.length} store paths (${formatBytes(step.bytes)}${step.deltas === undefined ? "" : ` as deltas: equal files hard-linked to the predecessor, changed ones as zstd --patch-from deltas with their SHA-256`})`,
  "copy-files": (step, scripts) => `${command(step.receiver, {}, scripts)} < tar stream of the contents of ${step.source}`,
  switch: (step) =>
    `(detached) switch-to-configuration ${step.action} ${step.toplevel}` +
    (step.previous === undefined ? "; nothing to roll back to" : `; rollback to ${step.previous.toplevel}`),
  "wait-for-system": (step) =>
    `(new connection) readlink -f /run/current-system = ${step.toplevel}` + (step.hostKeyFrom === undefined ? "" : `, trusting the host key read before the reboot`),
  "wait-for-installer": (step) => `(new connection, the same host key) test -e ${step.marker}`,
};

/** What a run step reads: a secret only by its description, text by its length. */
function runInput(step: RunStep): string {
  if (step.secretStdin) return ` < ${step.secretStdin.description} (secret, not shown)`;
  return step.stdin ? ` < ${step.stdin.replace(/\n$/, "").split("\n").length} lines of input` : "";
}

function commandLine(step: Step, scripts: Map<string, string>): string {
  return (COMMAND_LINES[step.kind] as (s: Step, m: Map<string, string>) => string)(step, scripts);
}

/** An argv as a shell line; an inline script shows by name, its text kept for the end. */
function command(argv: readonly string[], env: Readonly<Record<string, string>> | undefined, scripts: Map<string, string>): string {
  const inline = argv[0] === "sh" && argv[1] === "-c" && argv[2] !== undefined && argv[3] !== undefined;
  if (inline) scripts.set(argv[3]!, argv[2]!);
  return shellQuote(inline ? argv.slice(3) : argv, env ?? {});
}

/**
 * Formats a byte count for people, with binary units.
 *
 * @example
 * ```ts
 * formatBytes(1536) // "1.5 KiB"
 * ```
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
