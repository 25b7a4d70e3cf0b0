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
