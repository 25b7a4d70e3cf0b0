// Readers of one field of a node: each returns undefined when the key is absent, and when
// its value is wrong, after reporting why, so a reader never stops at the first problem.
import { hasControlCharacters } from "../printable.js";
import { controlCharacters, describe, type AddProblem, type JsonObject } from "./json.js";

/** The string at `key`, when it is a non-empty printable one. */
export function optString(v: JsonObject, key: string, path: string, add: AddProblem): string | undefined {
  const s = v[key];
  if (s === undefined) return undefined;
  if (typeof s !== "string" || s === "") {
    add(`${path}.${key}`, `expected a non-empty string, not ${describe(s)}`);
    return undefined;
  }
  if (hasControlCharacters(s)) {
    add(`${path}.${key}`, controlCharacters(s));
    return undefined;
  }
  return s;
}

/** The absolute path at `key`: a file on the target. */
export function optPath(v: JsonObject, key: string, path: string, add: AddProblem): string | undefined {
  const s = optString(v, key, path, add);
  if (s !== undefined && !s.startsWith("/")) {
    add(`${path}.${key}`, `"${s}" is not an absolute path`);
    return undefined;
  }
  return s;
}

/** The boolean at `key`. */
export function optBool(v: JsonObject, key: string, path: string, add: AddProblem): boolean | undefined {
  const b = v[key];
  if (b === undefined) return undefined;
  if (typeof b !== "boolean") {
    add(`${path}.${key}`, `expected true or false, not ${describe(b)}`);
    return undefined;
  }
  return b;
}

/** The safe integer at `key`. */
export function optInt(v: JsonObject, key: string, path: string, add: AddProblem): number | undefined {
  const n = v[key];
  if (n === undefined) return undefined;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) {
    add(`${path}.${key}`, `expected an integer, not ${describe(n)}`);
    return undefined;
  }
  return n;
}

/** The value at `key` when it is one of `values`. */
export function optEnum<T extends string>(v: JsonObject, key: string, path: string, add: AddProblem, values: readonly T[]): T | undefined {
  const s = v[key];
  if (s === undefined) return undefined;
  if (!(values as readonly unknown[]).includes(s)) {
    add(`${path}.${key}`, `${describe(s)} is not one of ${values.join(", ")}`);
    return undefined;
  }
  return s as T;
}

/** The list of printable strings at `key`. */
export function optStrings(v: JsonObject, key: string, path: string, add: AddProblem): string[] | undefined {
  const list = v[key];
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) {
    add(`${path}.${key}`, `expected a list of strings, not ${describe(list)}`);
    return undefined;
  }
  let printable = true;
  list.forEach((s: string, i) => {
    if (!hasControlCharacters(s)) return;
    add(`${path}.${key}[${i}]`, controlCharacters(s));
    printable = false;
  });
  return printable ? (list as string[]) : undefined;
}
