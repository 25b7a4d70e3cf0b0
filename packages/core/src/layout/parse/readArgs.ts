import { optStrings } from "./fields.js";
import { describe, type AddProblem, type JsonObject } from "./json.js";

/** Shell syntax: disko would run it, nixos-via passes arguments as argv and will not pretend to. */
const UNSAFE_ARG = /["'`$\\|;&<>(){}*?]/;

/** A path under /dev (absolute, relative or as an option's value) or a partition reference. */
const DEVICE_ARG = /(^|[=,:/])dev\/|@part:/;

/**
 * What a device the layout itself creates looks like: `/dev/mapper/NAME`, `/dev/md/NAME`,
 * `/dev/VG/LV` (btrfs over several LUKS devices names the others this way). checkLayout then
 * makes sure the layout does create it.
 */
export const LAYOUT_DEVICE_ARG = /^\/dev\/[A-Za-z0-9_.+-]+\/[A-Za-z0-9_.+-]+$/;

/**
 * extraArgs go through a shell in disko, so one element may hold several words: split them
 * the same way. An argument naming a device would let a step touch a device the user never
 * named with --wipe, so none may, except the devices the layout creates itself.
 */
export function readArgs<K extends string>(v: JsonObject, key: K, path: string, add: AddProblem): Partial<Record<K, string[]>> {
  const list = optStrings(v, key, path, add);
  if (list === undefined) return {};
  const words: string[] = [];
  list.forEach((a, i) => {
    if (UNSAFE_ARG.test(a)) add(`${path}.${key}[${i}]`, `${describe(a)} holds shell syntax; give plain words`);
    else if (a.split(/\s+/).some((w) => DEVICE_ARG.test(w) && !LAYOUT_DEVICE_ARG.test(w))) {
      add(`${path}.${key}[${i}]`, `${describe(a)} names a device, which --wipe and the in-use check would not cover: declare it as a disk of the layout instead`);
    }
    words.push(...a.split(/\s+/).filter(Boolean));
  });
  return { [key]: words } as Partial<Record<K, string[]>>;
}
