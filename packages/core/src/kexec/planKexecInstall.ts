import { err, type Result } from "neverthrow";
import { STAGED_PATH_CHECK } from "../closure/markPathBoundaries.js";
import type { NixosSystem } from "../closure/index.js";
import { planInstall, type PlanInstallErrorType } from "../install/planInstall.js";
import type { InstallExtras } from "../install/planInstallExtras.js";
import type { LayoutPlan } from "../layout/index.js";
import type { Plan, RunStep, Step } from "../pipeline/Step.js";
import type { Target, TargetFacts } from "../target/index.js";
import { checkKexec, installerRamBytes, kexecLoadBytes } from "./checkKexec.js";
import type { KexecFacts } from "./KexecFacts.js";
import type { KexecInstaller } from "./KexecInstaller.js";
import kexecExecScript from "./kexecExec.sh";
import kexecLoadScript from "./kexecLoad.sh";
import networkIdentityScript from "./networkIdentity.sh";
import stageScript from "./stageFromInstaller.sh";

/** A file only the installer has: its list of the closure's paths in RAM. */
export const INSTALLER_MARKER = "/etc/nixos-via-installer-paths";

/** Inputs of {@link planKexecInstall}. */
export interface PlanKexecInstallParameters {
  readonly system: NixosSystem;
  readonly target: Pick<Target, "uri" | "root" | "capabilities">;
  /** What the kexec probe found on the running system. */
  readonly kexecFacts: KexecFacts;
  readonly installer: KexecInstaller;
  readonly layout: LayoutPlan;
  readonly extras?: InstallExtras | undefined;
  /** How long to wait for the installer to answer. @default 300 (seconds) */
  readonly installerTimeoutS?: number | undefined;
}

/** File systems a layout may need, as their modules are named. */
const FILESYSTEM_MODULES: Readonly<Record<string, string>> = { ext4: "ext4", vfat: "vfat", btrfs: "btrfs", xfs: "xfs", f2fs: "f2fs" };

/**
 * Plans an install that takes over a running Linux with kexec (docs/kexec.md): upload the
 * installer, carry the machine's identity into it and `kexec --load` it (nothing has
 * changed yet, and a failed load changes nothing), `kexec -e`, reconnect with the same
 * host key, stage the closure's paths the installer holds in RAM, then the ordinary
 * install, planned against what the installer is known to hold. Refusals (a container,
 * kexec off, lockdown, too little RAM…) come before any step.
 *
 * @example
 * ```ts
 * const plan = planKexecInstall({ system, target, kexecFacts, installer, layout });
 * ```
 */
export function planKexecInstall(p: PlanKexecInstallParameters): Result<Plan, PlanInstallErrorType> {
  // A rerun after an earlier run switched: the installer runs already, no second kexec.
  const running = p.kexecFacts.installerPaths;
  if (running === undefined) {
    const refusal = checkKexec(p.target.uri, p.kexecFacts, p.installer);
    if (refusal !== undefined) return err(refusal);
  }
  const closure = new Set(p.system.closure.paths.map((s) => s.path));
  const held = new Set(running ?? p.installer.storePaths);
  const inRam = p.installer.storePaths.filter((s) => closure.has(s) && held.has(s));
  // On a rerun, what a run that died mid-install left mounted or open in the installer is
  // released first (each step does nothing when there is nothing to release).
  const before = running === undefined ? switchSteps(p) : p.layout.unmountSteps.map((s) => ({ ...s, description: `release what an earlier run left: ${s.description}` }));
  const stage: RunStep[] =
    inRam.length === 0
      ? []
      : [
          {
            kind: "run",
            phase: "copy",
            description: `take ${inRam.length} store paths of the closure from the installer's RAM instead of sending them`,
            argv: ["sh", "-c", STAGED_PATH_CHECK + stageScript, "nixos-via-stage-from-installer", p.target.root, ...inRam],
          },
        ];
  const peak: RunStep = {
    kind: "run",
    phase: "reboot",
    description: "read the installer's peak memory use",
    argv: ["cat", "/run/nixos-via-installer/peak-kib"],
    capture: "installerPeakKib",
  };
  const planned = planInstall({
    system: p.system,
    target: p.target,
    facts: installerFacts(p.kexecFacts, p.installer, inRam, running !== undefined),
    layout: p.layout,
    extras: p.extras,
    before,
    beforeCopy: stage,
    beforeReboot: [peak],
  });
  return planned.map((plan) => ({
    ...plan,
    // Staged here means "in the installer's RAM", not "left by an earlier run".
    steps: plan.steps.map((step) => (step.kind === "copy-closure" ? { ...step, description: `copy ${step.paths.length} store paths (${inRam.length} come from the installer's RAM)` } : step)),
    kexec: {
      uploadBytes: p.installer.uploadBytes,
      kernelBytes: p.installer.kernelBytes,
      initrdBytes: p.installer.initrdBytes,
      reusedPaths: inRam.length,
      reusedBytes: p.installer.reusedBytes,
      loadRamBytes: kexecLoadBytes(p.installer),
      installerRamBytes: installerRamBytes(p.installer),
      ...(running === undefined ? {} : { alreadyRunning: true }),
    },
  }));
}

/**
 * The switch: upload the installer, carry the machine's identity into it and `kexec
 * --load` it (nothing has changed yet, and a failed load changes nothing), `kexec -e`,
 * reconnect with the same host key.
 */
function switchSteps(p: PlanKexecInstallParameters): Step[] {
  const dir = `${p.kexecFacts.uploadDir}/nixos-via-kexec`;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  return [
    { kind: "run", phase: "kexec", description: `make the upload folder ${dir} (tmpfs)`, argv: ["sh", "-c", 'rm -rf "$1" && mkdir -m 0700 "$1"', "nixos-via-kexec-folder", dir] },
    {
      kind: "copy-files",
      phase: "kexec",
      description: `upload the installer (${mib(p.installer.uploadBytes)}: kernel, initrd, kexec)`,
      source: p.installer.path,
      receiver: ["tar", "-x", "-f", "-", "-C", dir],
    },
    {
      kind: "run",
      phase: "kexec",
      description: "carry the machine's SSH host keys, authorized keys, addresses, routes and DNS into the installer, and kexec --load it (nothing changes yet)",
      argv: ["sh", "-c", networkIdentityScript + kexecLoadScript, "nixos-via-kexec-load", dir],
    },
    { kind: "run", phase: "kexec", description: "switch to the installer with kexec -e (the running system stops here)", argv: ["sh", "-c", kexecExecScript, "nixos-via-kexec-exec", dir] },
    {
      kind: "wait-for-installer",
      phase: "kexec",
      description: `wait until the installer answers with the machine's own host key (up to ${p.installerTimeoutS ?? 300}s)`,
      marker: INSTALLER_MARKER,
      timeoutS: p.installerTimeoutS ?? 300,
    },
  ];
}

/**
 * What the installer will be, known before it runs: it was built here. Its store paths
 * from the closure count as staged (they need moving, not sending).
 */
function installerFacts(facts: KexecFacts, installer: KexecInstaller, inRam: readonly string[], running: boolean): TargetFacts {
  const modules = new Set(installer.modules);
  const filesystems = new Set(["tmpfs", "proc", "sysfs", "devtmpfs", "ramfs"]);
  for (const [fs, module] of Object.entries(FILESYSTEM_MODULES)) if (modules.has(module)) filesystems.add(fs);
  if (modules.has("ext4")) ["ext2", "ext3"].forEach((fs) => filesystems.add(fs));
  const kernelFeatures = new Set<string>();
  if (modules.has("dm_mod")) kernelFeatures.add("device-mapper");
  if (modules.has("dm_crypt")) kernelFeatures.add("dm-crypt");
  if (modules.has("md_mod")) kernelFeatures.add("md");
  return {
    machine: facts.machine,
    kernelRelease: running ? facts.kernelRelease : installer.kernelRelease,
    hasNixDb: false,
    registered: new Set(),
    staged: new Set(inRam),
    filesystems,
    kernelFeatures,
    generations: [],
    currentGeneration: undefined,
    tools: new Set(installer.tools),
  };
}
