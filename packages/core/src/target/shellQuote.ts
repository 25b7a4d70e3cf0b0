/**
 * Quotes argv for a POSIX shell. The one place where arguments become a shell string: for
 * remote commands and for printing plans.
 *
 * @example
 * ```ts
 * shellQuote(["echo", "it's"]) // "echo 'it'\\''s'"
 * ```
 */
export function shellQuote(argv: readonly string[]): string {
  return argv.map(quoteWord).join(" ");
}

function quoteWord(word: string): string {
  if (word !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
