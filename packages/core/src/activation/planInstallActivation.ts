import type { RunStep } from "../pipeline/Step.js";
import { enterArgv } from "./enterScript.js";

/**
 * Plans what `nixos-install` does after the copy: mark the root as NixOS (`etc/NIXOS`),
 * link `etc/mtab`, then inside the root run `activate` and
 * `switch-to-configuration boot` with `NIXOS_INSTALL_BOOTLOADER=1`. A failing activation
 * or bootloader install fails the step, and with it the install.
 *
 * @example
 * ```ts
 * const steps = planInstallActivation("/mnt", "/nix/store/…-nixos-system-web");
 * ```
 */
export function planInstallActivation(root: string, toplevel: string): RunStep[] {
  return [
    {
      kind: "run",
      phase: "activate",
      description: "mark the root as NixOS, activate the system and install its bootloader (switch-to-configuration boot)",
      argv: enterArgv(root, `${toplevel}/activate`, ["/run/current-system/bin/switch-to-configuration", "boot"]),
      env: { NIXOS_INSTALL_BOOTLOADER: "1", NIXOS_VIA_MARK_ROOT: "1" },
    },
  ];
}
