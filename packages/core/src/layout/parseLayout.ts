import { err, ok, type Result } from "neverthrow";
import { checkLayout } from "./checkLayout.js";
import type { Disk, Layout, LvmVolumeGroup, MdadmArray, NodevFilesystem } from "./Layout.js";
import { LayoutValidationError, type LayoutProblem } from "./LayoutValidationError.js";
import { HOOKS } from "./parse/checkKeys.js";
import { describe, isObject, type AddProblem } from "./parse/json.js";
import { readDisk } from "./parse/readDisk.js";
import { readMdadm } from "./parse/readMdadm.js";
import { readNamed } from "./parse/readNamed.js";
import { readNodev } from "./parse/readNodev.js";
import { readVolumeGroup } from "./parse/readVolumeGroup.js";

/** How {@link parseLayout} reads a layout. */
export interface ParseLayoutOptions {
  /**
   * Accept disko's hooks (`preCreateHook`, `postMountHook`, …): shell code that the plan then
   * runs, each as its own step. Off, a layout with a non-empty hook is refused.
   * @default false
   */
  readonly allowHooks?: boolean;
}

/**
 * Reads a disko layout: the JSON `builtins.toJSON config.disko.devices` prints (or the
 * same shape written by hand). Every problem is collected, each with its JSON path, and
 * returned at once; nothing unsupported is silently ignored.
 *
 * Accepted and ignored on purpose: keys starting with `_` (disko internals), `device` on
 * every node but a disk (disko derives it from the parent; nixos-via addresses devices
 * itself; a disk's own is read by {@link resolveDiskDevices}), a disk's `imageSize`/`imageName`,
 * `name` when it equals its key, empty hooks, `askPassword: false`, empty
 * `additionalKeyFiles`, a disabled btrfs `swap`. Refused by name: `zpool`,
 * `bcachefs_filesystems`, content types `zfs`, `bcachefs`, anything unknown, non-empty
 * hooks, `askPassword: true`, key files to add, btrfs swap files, any other key.
 *
 * @example
 * ```ts
 * const layout = parseLayout(JSON.parse(text));
 * if (layout.isErr()) console.error(layout.error.details);
 * ```
 */
export function parseLayout(json: unknown, options: ParseLayoutOptions = {}): Result<Layout, LayoutValidationError> {
  const problems: LayoutProblem[] = [];
  const layout = readLayout(json, (path, message) => problems.push({ path, message }));
  if (options.allowHooks !== true) problems.push(...refuseHooks(layout));
  if (problems.length === 0) problems.push(...checkLayout(layout));
  else if (isObject(json)) {
    // Cross-checks on a partly broken layout would report follow-up noise; report them
    // only when they do not repeat a path already reported.
    const seen = new Set(problems.map((p) => p.path));
    problems.push(...checkLayout(layout).filter((p) => ![...seen].some((s) => s !== "" && p.path.startsWith(s))));
  }
  return problems.length === 0 ? ok(layout) : err(new LayoutValidationError(problems));
}

function readLayout(json: unknown, add: AddProblem): Layout {
  if (!isObject(json)) {
    add("", `a layout is a JSON object with disk, lvm_vg, mdadm and nodev, not ${describe(json)}`);
    return {};
  }
  const layout: { disk?: Record<string, Disk>; lvm_vg?: Record<string, LvmVolumeGroup>; mdadm?: Record<string, MdadmArray>; nodev?: Record<string, NodevFilesystem> } = {};
  for (const key of Object.keys(json)) {
    const value = json[key];
    // A disk's key only identifies it; readDisk checks the name labels are made of.
    if (key === "disk") layout.disk = readNamed(value, key, "entries", add, readDisk, false);
    else if (key === "lvm_vg") layout.lvm_vg = readNamed(value, key, "entries", add, readVolumeGroup);
    else if (key === "mdadm") layout.mdadm = readNamed(value, key, "entries", add, readMdadm);
    // nodev entries are usually named by their mountpoint, which is checked as one.
    else if (key === "nodev") layout.nodev = readNamed(value, key, "entries", add, readNodev, false);
    else if (key === "zpool" || key === "bcachefs_filesystems") {
      if (isObject(value) && Object.keys(value).length === 0) continue;
      add(key, key === "zpool" ? "ZFS pools are not supported" : "bcachefs file systems are not supported");
    } else if (!key.startsWith("_")) add(key, "unknown option; nixos-via does not act on it");
  }
  return layout;
}

/** Every hook of the layout, refused: hooks are shell code, run only when allowed. */
function refuseHooks(layout: Layout): LayoutProblem[] {
  const found: LayoutProblem[] = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const at = Array.isArray(node) ? `${path}[${key}]` : path === "" ? key : `${path}.${key}`;
      if ((HOOKS as readonly string[]).includes(key) && typeof value === "string") {
        found.push({ path: at, message: "hooks are shell code, which nixos-via runs only with --allow-layout-hooks (allowHooks)" });
      } else visit(value, at);
    }
  };
  visit(layout, "");
  return found;
}
