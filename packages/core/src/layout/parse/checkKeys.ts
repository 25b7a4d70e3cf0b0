import type { AddProblem, JsonObject } from "./json.js";

/** disko runs these as shell code around its own steps; nixos-via does not run layout shell code. */
const HOOKS = ["preCreateHook", "postCreateHook", "preMountHook", "postMountHook", "preUnmountHook", "postUnmountHook"];

/** Refuses every key a node of this kind does not have; `_` keys are disko internals, hooks are refused by {@link refuseHooks}. */
export function checkKeys(v: JsonObject, path: string, add: AddProblem, allowed: readonly string[]): void {
  for (const key of Object.keys(v)) {
    if (key.startsWith("_") || allowed.includes(key) || HOOKS.includes(key)) continue;
    add(`${path}.${key}`, "unknown option; nixos-via does not act on it");
  }
}

/** Refuses non-empty hooks. */
export function refuseHooks(v: JsonObject, path: string, add: AddProblem): void {
  for (const hook of HOOKS) {
    const h = v[hook];
    if (h === undefined || h === "") continue;
    add(`${path}.${hook}`, "hooks are not supported: nixos-via does not run shell code from a layout");
  }
}

/** Refuses a `name` other than the node's key. */
export function refuseRenaming(v: JsonObject, path: string, name: string, add: AddProblem): void {
  if (v.name !== undefined && v.name !== name) add(`${path}.name`, `renaming is not supported: must equal its key "${name}"`);
}
