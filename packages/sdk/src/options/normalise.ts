import { err, ok, type Result } from "neverthrow";
import { UsageError } from "@nixos-via/core";
import { parseDuration } from "./parseDuration.js";
import { parseSize } from "./parseSize.js";

/** A size in bytes, or a string such as `4G` ({@link parseSize}). */
export type Size = number | string;
/** Whole seconds, or a string such as `10m` ({@link parseDuration}). */
export type Duration = number | string;

/** Reads a size option once, into bytes (at least `minimum`, @default 1). */
export function normaliseSize(name: string, value: Size | undefined, minimum = 1): Result<number | undefined, UsageError> {
  if (value === undefined) return ok(undefined);
  const bytes = typeof value === "number" ? value : parseSize(value);
  return bytes !== undefined && Number.isSafeInteger(bytes) && bytes >= minimum ? ok(bytes) : err(new UsageError(`${name} ${String(value)}: give a size, e.g. 4G or 512M`));
}

/** Reads a duration option once, into whole seconds (at least 1), or its default. */
export function normaliseDuration(name: string, value: Duration | undefined, fallback: number): Result<number, UsageError> {
  if (value === undefined) return ok(fallback);
  const seconds = typeof value === "number" ? value : parseDuration(value);
  return seconds !== undefined && Number.isSafeInteger(seconds) && seconds >= 1
    ? ok(seconds)
    : err(new UsageError(`${name} ${String(value)}: give whole seconds, at least 1, e.g. 30 or 10m`));
}
