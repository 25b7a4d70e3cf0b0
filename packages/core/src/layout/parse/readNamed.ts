import { checkName } from "./checkName.js";
import { describe, emptyRecord, isObject, type AddProblem, type JsonObject } from "./json.js";

/** Reads one named node; `path` is the node's own. */
export type ReadNode<T> = (v: JsonObject, path: string, name: string, add: AddProblem) => T | undefined;

/**
 * Reads an object of named nodes (disks, partitions, logical volumes, subvolumes…) with
 * `read`, reporting a value that is not such an object and each entry that is not one.
 *
 * @param what - the entries in words, for the problem message: `partitions`
 * @param checkNames - whether the keys become device names and must be usable as such
 */
export function readNamed<T>(raw: unknown, path: string, what: string, add: AddProblem, read: ReadNode<T>, checkNames = true): Record<string, T> {
  const out = emptyRecord<T>();
  if (!isObject(raw)) {
    add(path, `expected an object of named ${what}, not ${describe(raw)}`);
    return out;
  }
  for (const name of Object.keys(raw)) {
    const p = `${path}.${name}`;
    if (checkNames) checkName(name, p, add);
    const v = raw[name];
    if (!isObject(v)) {
      add(p, `expected an object, not ${describe(v)}`);
      continue;
    }
    const entry = read(v, p, name, add);
    if (entry !== undefined) out[name] = entry;
  }
  return out;
}
