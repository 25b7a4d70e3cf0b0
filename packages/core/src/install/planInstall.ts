import { err, ok, type Result } from "neverthrow";
import { planInstallActivation, planProfile } from "../activation/index.js";
import type { NixosSystem } from "../closure/index.js";
import type { LayoutPlan } from "../layout/index.js";
import { planDiskEncryptionKeys } from "./planDiskEncryptionKeys.js";
import { copyDeltaSummary, planTransfer, type DeltaOptions } from "./planTransfer.js";
import { planExtrasBeforeActivation, planReadHostKey, planReboot, type InstallExtras } from "./planInstallExtras.js";
import { machineRunsSystem } from "../closure/NixosSystem.js";
import { TargetUnusableError, type UsageError } from "../errors/index.js";
import type { Plan, Step } from "../pipeline/Step.js";
import { FEATURE_MODULES, type Target, type TargetFacts } from "../target/index.js";

/** Inputs of {@link planInstall}: what to install, where, and what the probe found there. */
export interface PlanInstallParameters {
  readonly system: NixosSystem;
  readonly target: Pick<Target, "uri" | "root" | "capabilities">;
  readonly facts: TargetFacts;
  /** Disks to wipe, partition, format and mount at `target.root` first (disk:, image:, ssh:). */
  readonly layout?: LayoutPlan | undefined;
  /** Where the layout comes from, in words for the plan: `disks.json`, `the system's /nix/store/…/disko.json`. */
  readonly layoutSource?: string | undefined;
  /** Host keys, extra files, reboot. @default none */
  readonly extras?: InstallExtras | undefined;
  /** Send paths as deltas against predecessors the target holds. @default auto, with no predecessors known */
  readonly delta?: DeltaOptions | undefined;
  /** Steps that run before anything else (a kexec install: boot the installer). @default none */
  readonly before?: readonly Step[] | undefined;
  /** Steps between the layout and the copy (a kexec install: stage the installer's store paths). @default none */
  readonly beforeCopy?: readonly Step[] | undefined;
  /** Steps after the install, before the reboot (a kexec install: read the installer's peak memory). @default none */
  readonly beforeReboot?: readonly Step[] | undefined;
}

/** Why an install cannot be planned. */
export type PlanInstallErrorType = TargetUnusableError | UsageError;

/**
 * Plans an install into the target's root, as `nixos-install` does it: copy the missing
 * store paths (reference order, one stream), register them with the system's own
 * `nix-store` inside the root, point the system profile at a new generation, then
 * activate and install the bootloader. Pure: the same inputs always give the same plan.
 *
 * @example
 * ```ts
 * const plan = planInstall({ system, target, facts });
 * if (plan.isOk()) console.log(formatPlan(plan.value));
 * ```
 */
export function planInstall({ system, target, facts, layout, layoutSource, extras = {}, delta, before = [], beforeCopy = [], beforeReboot = [] }: PlanInstallParameters): Result<Plan, PlanInstallErrorType> {
  const keys = planDiskEncryptionKeys(extras.diskEncryptionKeys ?? [], { root: target.root, keyFiles: layout?.keyFiles ?? [] });
  if (keys.isErr()) return err(keys.error);
  if (!machineRunsSystem(facts.machine, system.system)) {
    return err(
      new TargetUnusableError(
        target.uri,
        `${target.uri} is a ${facts.machine} machine and cannot run this ${system.system} system`,
      ),
    );
  }
  const needed = ["tar", "unshare", "chroot", "mount", ...(layout?.tools ?? [])];
  const missingTools = [...new Set(needed)].filter((t) => !facts.tools.has(t)).sort();
  if (missingTools.length > 0) {
    return err(new TargetUnusableError(target.uri, `${target.uri} lacks ${missingTools.join(", ")}; install them there first`));
  }
  const where = target.capabilities.remote ? `the kernel of ${target.uri}` : "this machine's kernel";
  const missingFs = (layout?.filesystems ?? []).filter((f) => !facts.filesystems.has(f));
  const moduleTree = `/lib/modules/${facts.kernelRelease ?? "$(uname -r)"}`;
  if (missingFs.length > 0) {
    return err(
      new TargetUnusableError(
        target.uri,
        `${where} cannot mount ${missingFs.join(", ")}, which the layout needs: not in /proc/filesystems, and ${moduleTree} has no module for ${missingFs.length === 1 ? "it" : "them"}; install from a machine whose kernel can (e.g. over SSH from a rescue system)`,
      ),
    );
  }
  const missingFeatures = (layout?.kernelFeatures ?? []).filter((f) => !facts.kernelFeatures.has(f));
  if (missingFeatures.length > 0) {
    const modules = missingFeatures.map((f) => FEATURE_MODULES[f] ?? f).join(", ");
    return err(new TargetUnusableError(target.uri, `${where} has no ${missingFeatures.join(", ")}, which the layout needs: module ${modules} is neither loaded, built in nor in ${moduleTree}`));
  }
  const transfer = planTransfer(system, target, facts, delta);
  if (transfer.isErr()) return err(transfer.error);
  const { copy } = transfer.value;
  const profile = planProfile(target.root, system.toplevel, facts);
  const steps: Step[] = [...before, ...keys.value.steps, ...(layout?.steps ?? []), ...beforeCopy, ...transfer.value.steps];
  steps.push(
    ...profile.steps,
    ...planExtrasBeforeActivation(target.root, extras),
    ...planInstallActivation(target.root, system.toplevel),
    ...planReadHostKey(target.root, extras),
    ...(layout?.unmountSteps ?? []),
    ...keys.value.removal,
    ...beforeReboot,
    ...planReboot(extras, system.toplevel),
  );

  return ok({
    action: "install",
    target: target.uri,
    toplevel: system.toplevel,
    ...(layout !== undefined && layoutSource !== undefined ? { layout: layoutSource } : {}),
    generation: profile.generation,
    copy: {
      paths: copy.missing.length,
      bytes: copy.bytes,
      present: copy.present,
      staged: copy.staged,
      total: system.closure.paths.length,
      ...copyDeltaSummary(transfer.value),
    },
    steps,
    cleanup: [...(layout?.unmountSteps ?? []), ...keys.value.removal],
  });
}
