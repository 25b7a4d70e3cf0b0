import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A shell that targets run scripts with, as the argv that starts it. */
export interface TargetShell {
  readonly name: string;
  /** A short word for file names: `dash`, `busybox`. */
  readonly id: string;
  readonly argv: readonly [string, ...string[]];
  /** False when this machine lacks it: its tests are skipped, not failed. */
  readonly available: boolean;
}

/**
 * dash, and busybox ash: the shells of installers and rescue systems. busybox ash runs its
 * own applets before anything on PATH, so a fake tool must not be named like an applet
 * (`nix-store`, `ssh-keygen` and `switch-to-configuration` are safe; `mount` is not).
 */
export const TARGET_SHELLS: readonly TargetShell[] = (
  [
    ["dash", ["dash"]],
    ["busybox ash", ["busybox", "sh"]],
  ] as const
).map(([name, [file, ...pre]]) => {
  // An absolute path: tests give scripts a PATH of their own.
  const path = which(file) ?? file;
  return { name, id: file, argv: [path, ...pre], available: spawnSync(path, [...pre, "-c", "exit 0"]).status === 0 };
});

/** Runs `sh -c SCRIPT NAME ARGS…` with `shell`, as a target's transport does. */
export function runScript(
  shell: TargetShell,
  script: string,
  name: string,
  args: readonly string[],
  options: { readonly env?: Readonly<Record<string, string>>; readonly input?: string } = {},
): SpawnSyncReturns<string> {
  const [file, ...pre] = shell.argv;
  return spawnSync(file, [...pre, "-c", script, name, ...args], { encoding: "utf8", input: options.input ?? "", env: { ...options.env } });
}

/**
 * A folder for PATH holding links to this machine's `real` commands and executable
 * `fakes` (name → sh script body), so a script finds exactly these commands.
 */
export function toolFolder(dir: string, real: readonly string[], fakes: Readonly<Record<string, string>> = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const cmd of real) {
    const found = which(cmd);
    if (found === undefined) throw new Error(`the test needs ${cmd} on this machine`);
    symlinkSync(found, join(dir, cmd));
  }
  for (const [cmd, body] of Object.entries(fakes)) writeFileSync(join(dir, cmd), `#!/bin/sh\n${body}`, { mode: 0o755 });
  return dir;
}

/** Where `cmd` is on this machine's PATH. */
export function which(cmd: string): string | undefined {
  const found = spawnSync("sh", ["-c", 'command -v "$1"', "which", cmd], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}
