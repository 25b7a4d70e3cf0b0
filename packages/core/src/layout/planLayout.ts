import { err, ok, type Result } from "neverthrow";
import type { RunStep } from "../pipeline/Step.js";
import type { Layout } from "./Layout.js";
import { LayoutValidationError } from "./LayoutValidationError.js";
import { parseLayout } from "./parseLayout.js";
import { checkDevicesAndMountRoot } from "./plan/checkDevicesAndMountRoot.js";
import { diskDevices } from "./plan/diskDevices.js";
import { layoutMounts } from "./plan/layoutMounts.js";
import { planFormat } from "./plan/planFormat.js";
import { aroundCreate, aroundMounts, hookedNodes } from "./plan/planHooks.js";
import { planMounts, type ArrangeMounts } from "./plan/planMounts.js";
import { combinePlanned } from "./plan/PlannedSteps.js";
import { planPartitions, type WrapCreate } from "./plan/planPartitions.js";
import { planUnmount } from "./plan/planUnmount.js";
import { planWipe } from "./plan/planWipe.js";

/** Inputs of {@link planLayout} besides the layout. */
export interface PlanLayoutParameters {
  /** The device each disk of the layout is at install time, e.g. `{ main: "/dev/loop3" }`. */
  readonly devices: Readonly<Record<string, string>>;
  /** Where the installed system's `/` is mounted, e.g. `/mnt`. */
  readonly mountRoot: string;
  /**
   * Run the layout's hooks (disko's `preCreateHook`, `postMountHook`, …), each as a step of
   * its own around its node's steps. Without it a layout with hooks is refused.
   * @default false
   */
  readonly allowHooks?: boolean;
}

/** One file system the layout mounts during the install. */
export interface LayoutMount {
  /** The device as the steps name it: a path, or a partition reference `@part:N:LABEL:DISK`. */
  readonly device: string;
  /** The device in words: `disk main, partition 2 (disk-main-root)`. */
  readonly description: string;
  /** In the installed system, e.g. `/boot`. */
  readonly mountpoint: string;
  /** Where it is mounted during the install: the mountpoint under the mount root. */
  readonly path: string;
  readonly fsType: string;
  readonly options: readonly string[];
}

/** What a layout takes to create and to take down again, decided before anything is touched. */
export interface LayoutPlan {
  /** Phases wipe, partition, format, mount, in that order. */
  readonly steps: readonly RunStep[];
  /**
   * Phase unmount: mounts children before parents, then volume groups deactivated, LUKS
   * devices closed and md arrays stopped, in reverse order of creation. Each step only acts
   * when its mount or device is there, so they also clean up after a run that failed.
   * Swap is never switched on during an install, so it is not switched off.
   */
  readonly unmountSteps: readonly RunStep[];
  /** File system types the kernel doing the install must mount, sorted (`["btrfs", "vfat"]`). */
  readonly filesystems: readonly string[];
  /** Kernel features beyond file systems: `device-mapper`, `dm-crypt`, `md`. */
  readonly kernelFeatures: readonly string[];
  /** Commands the steps need on the machine doing the install, sorted. */
  readonly tools: readonly string[];
  /** The files on the target the LUKS steps read keys or passphrases from, sorted. */
  readonly keyFiles: readonly string[];
  /** In mount order: parents before children. */
  readonly mounts: readonly LayoutMount[];
}

/** Why a layout cannot be planned. */
export type PlanLayoutErrorType = LayoutValidationError;

/**
 * Plans creating a layout on the given devices the way disko does: wipe each disk, write
 * the partition tables, wait for the partition devices, make file systems, LUKS, LVM and
 * md arrays, then mount everything under `mountRoot`. Partitions are addressed by number
 * on the device given for their disk and resolved on the target (see {@link LAYOUT_SCRIPT}),
 * never by guessed names like `/dev/sdb2`. Pure and deterministic.
 *
 * @example
 * ```ts
 * const plan = planLayout(layout, { devices: { main: "/dev/sdb" }, mountRoot: "/mnt" });
 * if (plan.isOk()) for (const step of plan.value.steps) console.log(step.description);
 * ```
 */
export function planLayout(given: Layout, { devices, mountRoot, allowHooks = false }: PlanLayoutParameters): Result<LayoutPlan, PlanLayoutErrorType> {
  // Plan what was validated: parseLayout's copy keeps every key and inherits none.
  const parsed = parseLayout(given, { allowHooks });
  if (parsed.isErr()) return err(parsed.error);
  const layout = parsed.value;
  const problems = checkDevicesAndMountRoot(layout, devices, mountRoot);
  if (problems.length > 0) return err(new LayoutValidationError(problems));

  const disks = diskDevices(layout, devices);
  const mounts = layoutMounts(layout, devices, mountRoot);
  const nodes = hookedNodes(layout, devices);
  const hooked = new Map(nodes.map((n) => [n.path, n]));
  const wrap: WrapCreate = (path, part) => {
    const node = hooked.get(path);
    return node === undefined ? part : aroundCreate(node, part, mountRoot);
  };
  const arrange = (kind: "Mount" | "Unmount"): ArrangeMounts => (perMount) => aroundMounts(kind, layout, nodes, perMount, mountRoot);
  const create = combinePlanned([planWipe(disks), planPartitions(disks, wrap), planFormat(layout, devices, wrap), planMounts(mounts, arrange("Mount"))]);
  const unmount = planUnmount(mounts, create.teardown, arrange("Unmount"));
  return ok({
    steps: create.steps,
    unmountSteps: unmount.steps,
    filesystems: sortedUnique(create.filesystems),
    kernelFeatures: sortedUnique(create.kernelFeatures),
    tools: sortedUnique([...create.tools, ...unmount.tools]),
    keyFiles: sortedUnique(create.keyFiles),
    mounts,
  });
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
