import { InvalidArgumentError } from "commander";

/**
 * argv never holds a NUL, so it joins the two values of an option that takes a pair
 * (`--disk-encryption-keys REMOTE LOCAL`, as nixos-anywhere spells it) without ambiguity.
 */
const JOIN = "\u0000";

/**
 * Commander's options take one value: this joins the two words after each `flag` into one
 * argument before parsing (up to a `--`), so the pair cannot be mistaken for the target.
 *
 * @example
 * ```ts
 * joinPairedOption(["install", "--disk-encryption-keys", "/tmp/k", "./k", "ssh://h"], "--disk-encryption-keys");
 * ```
 */
export function joinPairedOption(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === "--") return [...out, ...argv.slice(i)];
    const [first, second] = [argv[i + 1], argv[i + 2]];
    if (word === flag && first !== undefined && second !== undefined && !second.startsWith("-")) {
      out.push(flag, `${first}${JOIN}${second}`);
      i += 2;
    } else out.push(word);
  }
  return out;
}

/** The two words of a paired option's value, or undefined when it is not two non-empty words. */
export function splitPair(value: string): readonly [string, string] | undefined {
  const parts = value.split(JOIN);
  return parts.length === 2 && parts[0] !== "" && parts[1] !== "" ? [parts[0] as string, parts[1] as string] : undefined;
}

/** Commander's parser for a paired option: collects `{ remote, local }` pairs. */
export function collectPair(value: string, previous: readonly { remote: string; local: string }[]): { remote: string; local: string }[] {
  const pair = splitPair(value);
  if (pair === undefined) {
    throw new InvalidArgumentError("give the path on the target, then the file here, e.g. --disk-encryption-keys /tmp/secret.key ./secret.key");
  }
  return [...previous, { remote: pair[0], local: pair[1] }];
}
