import type { Target, TargetCapabilities } from "@nixos-via/core";

/** One fresh target for one case of the suite, and how to let it go. */
export interface ConformanceSubject {
  readonly target: Target;
  /** Releases the target (close it, delete what the factory created); called after every case. */
  readonly release: () => Promise<void>;
  /**
   * For targets with `reconnect`: the machine takes a new identity, as after a reinstall
   * (restart its SSH server with a fresh host key). Resolves to the new host key as a
   * base64 blob (the second word of a `.pub` line). Without it the host-key cases are skipped.
   */
  readonly rotateHostKey?: (() => Promise<string>) | undefined;
}

/**
 * The reboot hook: give it for a target that can really reboot (a VM, a lab machine), and
 * the suite checks that the target comes back through `reconnect` on a new boot.
 */
export interface RebootHook {
  /**
   * Starts a reboot of the machine behind `target` (`target.exec(["systemctl", "reboot"])`,
   * or a reset through the hypervisor) and resolves once it was asked; the suite then
   * reconnects until the machine answers with a new boot id.
   */
  readonly trigger: (target: Target) => Promise<void>;
  /** How long the machine may take to come back, in milliseconds. @default 600000 */
  readonly timeoutMs?: number | undefined;
}

/** Options of {@link describeTargetConformance}. */
export interface TargetConformanceOptions {
  /** The suite's name in the report, e.g. the URI scheme: `ssh://`. */
  readonly name: string;
  /** Opens a fresh target; called once per case. */
  readonly open: () => Promise<ConformanceSubject>;
  /** Capabilities the target must declare, e.g. `{ remote: true }`. @default no expectation beyond consistency */
  readonly capabilities?: Partial<TargetCapabilities> | undefined;
  /** Runs the reboot case. @default the case is skipped */
  readonly reboot?: RebootHook | undefined;
}
