import type { Hooks } from "../Layout.js";
import { hasControlCharacters } from "../printable.js";
import { controlCharacters, describe, type AddProblem, type JsonObject } from "./json.js";

/** disko runs these as shell code around a node's own steps (its `mkSubType` nodes have them). */
export const HOOKS = ["preCreateHook", "postCreateHook", "preMountHook", "postMountHook", "preUnmountHook", "postUnmountHook"] as const;

/** Refuses every key a node of this kind does not have; `_` keys are disko internals. */
export function checkKeys(v: JsonObject, path: string, add: AddProblem, allowed: readonly string[]): void {
  for (const key of Object.keys(v)) {
    if (key.startsWith("_") || allowed.includes(key)) continue;
    if ((HOOKS as readonly string[]).includes(key)) {
      if (v[key] !== "" && v[key] !== null) add(`${path}.${key}`, "disko has no hooks on this node: put it on the node's content");
      continue;
    }
    add(`${path}.${key}`, "unknown option; nixos-via does not act on it");
  }
}

/**
 * The node's hooks that are not empty. Whether they may run is decided for the whole layout
 * (`allowHooks` of parseLayout), so this only reads them.
 */
export function readHooks(v: JsonObject, path: string, add: AddProblem): Hooks {
  const hooks: Record<string, string> = {};
  for (const hook of HOOKS) {
    const h = v[hook];
    if (h === undefined || h === null || h === "") continue;
    if (typeof h !== "string") add(`${path}.${hook}`, `expected shell code as a string, not ${describe(h)}`);
    else if (hasControlCharacters(h.replace(/[\n\t]/g, ""))) add(`${path}.${hook}`, controlCharacters(h));
    else hooks[hook] = h;
  }
  return hooks;
}

/** Refuses a `name` other than the node's key. */
export function refuseRenaming(v: JsonObject, path: string, name: string, add: AddProblem): void {
  if (v.name !== undefined && v.name !== name) add(`${path}.name`, `renaming is not supported: must equal its key "${name}"`);
}
