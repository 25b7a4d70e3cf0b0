import type { AddProblem } from "./json.js";

/**
 * Names become paths (`/dev/mapper/<name>`, `/dev/md/<name>`, `/dev/<vg>/<lv>`, labels
 * under `/dev/disk`), so `.` and `..` are refused; `__proto__` is refused because a
 * JavaScript object that is not built with care drops it.
 */
export const NAME = /^(?!\.\.?$|__proto__$)[A-Za-z0-9_.+][A-Za-z0-9_.+-]*$/;

/** Refuses a name that cannot become part of a device path. */
export function checkName(name: string | undefined, path: string, add: AddProblem): void {
  if (name !== undefined && !NAME.test(name)) add(path, `"${name}" is not a usable name (letters, digits, _ . + -; not ".", ".." or "__proto__")`);
}
