/** A JSON object as the layout readers see it: any keys, values not yet checked. */
export type JsonObject = Record<string, unknown>;

/** Collects one problem at a JSON path; readers report every problem and go on. */
export type AddProblem = (path: string, message: string) => void;

/** A JSON object, not null and not a list. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value in the words of a problem message: `"x"`, `1`, `a list`, `nothing`. */
export function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return JSON.stringify(v);
}

/** The problem message for text that holds control characters. */
export function controlCharacters(s: string): string {
  return `${describe(s)} holds control characters: give printable text`;
}

/** A map that keeps every key as its own, `__proto__` included, and inherits none. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
