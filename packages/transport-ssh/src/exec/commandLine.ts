import { COMMAND_MAX, shellQuote, type ExecOptions } from "@nixos-via/core";

/**
 * The most stdin text that travels inside the command line instead of after it: OpenSSH
 * opens a session's window only once the command runs, so stdin sent on the channel
 * costs a round trip after the exec request; inside the command it costs none (the
 * probe's list of paths: 46 KiB for the benchmark's 706).
 */
const INLINE_STDIN_MAX = 64 * 1024;

/** The command line a target runs for `argv`, and whether it carries the stdin itself. */
export interface CommandLine {
  readonly command: string;
  /** True when `stdin` is inside `command` (`printf '%s' … |`) and must not be sent too. */
  readonly inlined: boolean;
}

/**
 * The command line for `argv`: with its text stdin inside it (`printf '%s' … |`) when that
 * is small text ({@link INLINE_STDIN_MAX}) and the whole line stays within
 * {@link COMMAND_MAX}, the most the target can exec; otherwise the stdin is streamed. Never
 * bytes: secrets come as bytes, a sudo password as a stream.
 *
 * @example
 * ```ts
 * commandLine(["cat"], "a\n") // { command: "printf '%s' 'a\n' | cat", inlined: true }
 * ```
 */
export function commandLine(argv: readonly string[], stdin: ExecOptions["stdin"]): CommandLine {
  const plain = shellQuote(argv);
  if (typeof stdin !== "string" || stdin === "" || stdin.length > INLINE_STDIN_MAX || Buffer.byteLength(stdin) > INLINE_STDIN_MAX) {
    return { command: plain, inlined: false };
  }
  const command = `printf '%s' ${shellQuote([stdin])} | ${plain}`;
  return Buffer.byteLength(command) <= COMMAND_MAX ? { command, inlined: true } : { command: plain, inlined: false };
}
