import { formatBytes, type KexecSummary, type Plan } from "@nixos-via/core";

/**
 * What an update would do to a machine, from the plan the SDK would run (`previewInstall`
 * or `previewDeploy`, nothing touched): what a Pulumi preview says about a NixosHost.
 */
export interface HostChange {
  /** `install`: the machine is not NixOS yet; `deploy`: it runs another toplevel; `none`: it runs this one. */
  readonly kind: "install" | "deploy" | "none";
  readonly target: string;
  /** The toplevel the machine runs now, read from it. */
  readonly from?: string | undefined;
  readonly to: string;
  /** The generation the machine will be on. */
  readonly generation: number;
  /** Store paths and bytes that would be sent (the rest is on the machine already). */
  readonly paths: number;
  readonly bytes: number;
  /**
   * How the new system takes over: `switch` (the running system, confirmed or rolled back),
   * `boot` (at the next reboot), `activate` (a stored root, in place), `reboot` (an install
   * over SSH reboots into it).
   */
  readonly activation: "switch" | "boot" | "activate" | "reboot";
  /** A switch that changes the kernel or initrd: they take effect at the next reboot. */
  readonly kernelChanges: boolean;
  /** Every step the run would take, one line each (what `--dry-run` prints). */
  readonly steps: readonly string[];
  /** An install by kexec (`install.method: "kexec"`): the installer it uploads and boots first, in numbers. */
  readonly kexec?: KexecSummary | undefined;
}

/** The change a plan makes, with what the machine runs now. */
export function hostChange(kind: HostChange["kind"], plan: Plan, from: string | undefined, kernelChanges: boolean): HostChange {
  const activation = plan.steps.some((s) => s.kind === "wait-for-system")
    ? "reboot"
    : plan.steps.some((s) => s.kind === "switch")
      ? ("switchAction" in plan && plan.switchAction === "boot" ? "boot" : "switch")
      : "activate";
  return {
    kind,
    target: plan.target,
    from,
    to: plan.toplevel,
    generation: plan.generation,
    paths: plan.copy.paths,
    bytes: plan.copy.bytes,
    activation,
    kernelChanges,
    steps: plan.steps.map((s) => s.description),
    ...(plan.kexec === undefined ? {} : { kexec: plan.kexec }),
  };
}

const HOW: Readonly<Record<HostChange["activation"], string>> = {
  switch: "switch to it (confirmed over a new connection, else rolled back)",
  boot: "make it the system of the next boot",
  activate: "activate it inside the root",
  reboot: "reboot into it",
};

/**
 * One line for a preview.
 *
 * @example
 * ```ts
 * describeHostChange(change)
 * // "ssh://root@web1: runs /nix/store/…-nixos-system-web-1 → generation 4 /nix/store/…-web-2: send 12 store paths (3.1 MiB), switch to it (…)"
 * ```
 */
export function describeHostChange(change: HostChange): string {
  if (change.kind === "none") return `${change.target}: runs ${change.to} (generation ${change.generation}) already: nothing to do`;
  const send = `send ${change.paths} store paths (${formatBytes(change.bytes)})`;
  const kernel = change.kernelChanges && change.activation === "switch" ? "; the new kernel takes effect at the next reboot" : "";
  const takeOver =
    change.kexec === undefined ? "" : ` by kexec (upload the installer, ${formatBytes(change.kexec.uploadBytes)}, and boot it in ${formatBytes(change.kexec.installerRamBytes)} of RAM)`;
  const what = change.kind === "install" ? `not NixOS yet → install ${change.to} as generation ${change.generation}${takeOver}` : `runs ${change.from} → generation ${change.generation} ${change.to}`;
  return `${change.target}: ${what}: ${send}, ${HOW[change.activation]}${kernel}`;
}
