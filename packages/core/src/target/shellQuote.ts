/**
 * The most bytes a command for a remote target may have, quoted as {@link shellQuote}
 * makes it, stdin carried inside it included. OpenSSH hands the whole command to the login
 * shell as the one word after `-c`, and Linux takes at most 128 KiB (MAX_ARG_STRLEN, 131072
 * bytes) for one argument: more, and the exec fails on the target (E2BIG), a failure the
 * user cannot trace. The 32 KiB margin are for what a transport wraps around it (sudo,
 * `env`). What would make a command longer (one more folded step, stdin inside the
 * command) goes apart instead: it costs a round trip, never the run.
 */
export const COMMAND_MAX = 96 * 1024;

/**
 * Quotes argv for a POSIX shell, after optional environment assignments (`K='v' cmd`).
 * The one place where arguments become a shell string: for remote commands and for
 * printing plans.
 *
 * @example
 * ```ts
 * shellQuote(["echo", "it's"]) // "echo 'it'\\''s'"
 * ```
 */
export function shellQuote(argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${quoteWord(v)}`);
  // A first word like A=b would be read as an assignment, not as the command.
  const words = argv.map((w, i) => (i === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w) ? `'${w}'` : quoteWord(w)));
  return [...assignments, ...words].join(" ");
}

function quoteWord(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
