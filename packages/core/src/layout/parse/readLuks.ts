import type { Luks } from "../Layout.js";
import { checkKeys } from "./checkKeys.js";
import { checkName } from "./checkName.js";
import { optBool, optInt, optPath, optString, optStrings } from "./fields.js";
import { describe, emptyRecord, isObject, type AddProblem, type JsonObject } from "./json.js";
import { readArgs } from "./readArgs.js";
import { readOptionalContent } from "./readContent.js";

/**
 * Reads a LUKS device. Its key must be a file already on the target: nixos-via installs
 * without a terminal to ask for a passphrase on.
 */
export function readLuks(v: JsonObject, path: string, add: AddProblem): Luks {
  checkKeys(v, path, add, [
    "type", "device", "name", "passwordFile", "keyFile", "settings", "extraFormatArgs", "extraOpenArgs",
    "initrdUnlock", "askPassword", "additionalKeyFiles", "content",
  ]);
  const name = optString(v, "name", path, add);
  if (name === undefined) add(`${path}.name`, "required: the name it is opened as, /dev/mapper/<name>");
  else checkName(name, `${path}.name`, add);
  const passwordFile = v.passwordFile === null ? undefined : optPath(v, "passwordFile", path, add);
  const keyFile = v.keyFile === null ? undefined : optPath(v, "keyFile", path, add);
  const settings = readLuksSettings(v, path, add);
  if (v.askPassword === true) add(`${path}.askPassword`, "nixos-via cannot ask for a passphrase while installing: give passwordFile or settings.keyFile");
  else if (v.askPassword !== undefined && v.askPassword !== false) add(`${path}.askPassword`, `expected a boolean, not ${describe(v.askPassword)}`);
  const additionalKeyFiles = optStrings(v, "additionalKeyFiles", path, add);
  additionalKeyFiles?.forEach((f, i) => {
    if (!f.startsWith("/")) add(`${path}.additionalKeyFiles[${i}]`, `"${f}" is not an absolute path`);
  });
  if (passwordFile === undefined && keyFile === undefined && settings.keyFile === undefined && v.askPassword !== true) {
    add(path, "needs passwordFile, keyFile or settings.keyFile: a file on the target with the passphrase or key");
  }
  const initrdUnlock = optBool(v, "initrdUnlock", path, add);
  const content = readOptionalContent(v, path, "luks", add);
  return {
    type: "luks",
    name: name ?? "",
    ...(passwordFile === undefined ? {} : { passwordFile }),
    ...(keyFile === undefined ? {} : { keyFile }),
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
    ...(additionalKeyFiles === undefined || additionalKeyFiles.length === 0 ? {} : { additionalKeyFiles }),
    ...readArgs(v, "extraFormatArgs", path, add),
    ...readArgs(v, "extraOpenArgs", path, add),
    ...(initrdUnlock === undefined ? {} : { initrdUnlock }),
    ...(content === undefined ? {} : { content: content as Luks["content"] }),
  } as Luks;
}

/**
 * disko passes `settings` to the NixOS module as they are, so every key is kept; those
 * nixos-via acts on itself (key file, its size and offset, open flags) are checked.
 */
function readLuksSettings(v: JsonObject, path: string, add: AddProblem): Record<string, unknown> {
  if (v.settings === undefined) return {};
  if (!isObject(v.settings)) {
    add(`${path}.settings`, `expected an object, not ${describe(v.settings)}`);
    return {};
  }
  const settings = Object.assign(emptyRecord<unknown>(), v.settings);
  const at = `${path}.settings`;
  if (settings.keyFile !== undefined) optPath(settings, "keyFile", at, add);
  for (const k of ["keyFileSize", "keyFileOffset"]) if (settings[k] !== undefined) optInt(settings, k, at, add);
  for (const k of ["allowDiscards", "bypassWorkqueues"]) if (settings[k] !== undefined) optBool(settings, k, at, add);
  return settings;
}
