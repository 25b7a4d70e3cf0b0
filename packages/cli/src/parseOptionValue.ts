import { InvalidArgumentError } from "commander";
import { parseSize } from "nixos-via";

/**
 * Commander argument parsers for every numeric option, so a bad value is a usage error
 * (exit 2) before anything runs, and commands receive numbers, never strings to convert.
 *
 * @example
 * ```ts
 * command.option("--wait-timeout <seconds>", "how long to wait", parseOptionValue.seconds, 600);
 * ```
 */
export const parseOptionValue = {
  /** Whole seconds, at least 1: `30`. */
  seconds: (text: string): number => positiveInteger(text, "give whole seconds, at least 1, e.g. 30"),
  /** A count, at least 1: `3`. */
  count: (text: string): number => positiveInteger(text, "give a whole number, at least 1"),
  /** Whole days with a `d`, at least 1: `30d`. */
  days: (text: string): number => {
    const m = /^(\d+)d$/.exec(text.trim());
    return positiveInteger(m?.[1] ?? "", "give whole days, e.g. 30d");
  },
  /**
   * Bytes, as a count or with a binary unit: `4G`, `512M`, `1073741824`. A size that is too
   * small (0 too) is the operation's to refuse: it knows the minimum and says it.
   */
  size: (text: string): number => {
    const bytes = parseSize(text);
    if (bytes === undefined) throw new InvalidArgumentError("give a size, e.g. 4G or 512M");
    return bytes;
  },
};

function positiveInteger(text: string, hint: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(hint);
  return value;
}
