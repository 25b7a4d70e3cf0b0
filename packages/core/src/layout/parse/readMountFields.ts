import { hasControlCharacters } from "../printable.js";
import { optStrings } from "./fields.js";
import { controlCharacters, describe, type AddProblem, type JsonObject } from "./json.js";

/** `mountpoint` and `mountOptions`, where a file system or a subvolume is mounted and how. */
export function readMountFields(v: JsonObject, path: string, add: AddProblem): { mountpoint?: string; mountOptions?: string[] } {
  const out: { mountpoint?: string; mountOptions?: string[] } = {};
  if (v.mountpoint !== undefined && v.mountpoint !== null) {
    const mp = v.mountpoint;
    if (typeof mp !== "string") add(`${path}.mountpoint`, `expected an absolute path, not ${describe(mp)}`);
    else if (hasControlCharacters(mp)) add(`${path}.mountpoint`, controlCharacters(mp));
    else if (!isMountpoint(mp)) add(`${path}.mountpoint`, `"${mp}" is not an absolute path without a trailing /, // or . and .. segments`);
    else out.mountpoint = mp;
  }
  const options = optStrings(v, "mountOptions", path, add);
  options?.forEach((o, i) => {
    if (o === "" || /[\s"'\\]/.test(o)) add(`${path}.mountOptions[${i}]`, `${describe(o)} is not a mount option`);
  });
  if (options !== undefined) out.mountOptions = options;
  return out;
}

/**
 * An absolute path without a trailing /, empty, `.` or `..` segments. Spaces and other
 * characters are fine: every step takes the path as one argument, never through a shell.
 */
export function isMountpoint(mp: string): boolean {
  if (mp === "/") return true;
  if (!mp.startsWith("/") || mp.endsWith("/")) return false;
  return mp.slice(1).split("/").every((s) => s !== "" && s !== "." && s !== "..");
}
