import { execa } from "execa";

const bin = new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname;

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `nixos-via` binary as a user would. */
export async function nixosVia(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const r = await execa("node", [bin, ...args], { reject: false, env, stdin: "ignore" });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The NDJSON events of a `--json` run. */
export function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
