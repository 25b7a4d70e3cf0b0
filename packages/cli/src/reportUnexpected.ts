import { ExitCode } from "./exitCodes.js";
import type { Io } from "./Io.js";

/** Whether the user asked for stacks: `--debug` anywhere, or `NIXOS_VIA_DEBUG=1`. */
export function wantsDebug(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return argv.includes("--debug") || env["NIXOS_VIA_DEBUG"] === "1";
}

/**
 * Reports an error nobody expected (a bug, or a library that threw) as the one line every
 * failure prints, and gives exit code 1; the stack follows only when debugging.
 */
export function reportUnexpected(error: unknown, stderr: Io["stderr"], debug: boolean): ExitCode {
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
  stderr.write(`nixos-via: error: ${message || "an unexpected failure"} (unexpected: run with --debug or NIXOS_VIA_DEBUG=1 for the stack)\n`);
  if (debug) stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.Failed;
}
