import type { Closure } from "./StorePathInfo.js";

/** A built NixOS system toplevel and its closure, as read from the source store. */
export interface NixosSystem {
  /** The toplevel store path (`config.system.build.toplevel`). */
  readonly toplevel: string;
  /** Its `system` file, e.g. `x86_64-linux`. */
  readonly system: string;
  /** Its `nixos-version` file, when present. */
  readonly version?: string | undefined;
  /**
   * A `nix-store` inside the closure (usually `TOPLEVEL/sw/bin/nix-store`), used to
   * register paths with the system's own Nix so the database has its schema.
   */
  readonly nixStore?: string | undefined;
  /**
   * Its bootloader installer needs the root's `/boot` to exist (systemd-boot writes to the
   * ESP mounted there), as the toplevel says: a `bootloader` file reading `uefi` (the
   * example system's marker), or a `boot.json` carrying bootspec's `org.nixos.systemd-boot`
   * extension (NixOS with systemd-boot). False or absent when it says neither.
   */
  readonly needsBootFolder?: boolean | undefined;
  readonly closure: Closure;
}

const MACHINES: Readonly<Record<string, readonly string[]>> = {
  "x86_64-linux": ["x86_64"],
  "aarch64-linux": ["aarch64", "arm64"],
  "i686-linux": ["i686", "i586", "i386", "x86_64"],
  "armv7l-linux": ["armv7l", "armv8l", "aarch64"],
  "riscv64-linux": ["riscv64"],
};

/**
 * Whether a machine (`uname -m`) runs programs of a Nix system type.
 *
 * @example
 * ```ts
 * machineRunsSystem("x86_64", "x86_64-linux") // true
 * ```
 */
export function machineRunsSystem(machine: string, system: string): boolean {
  return (MACHINES[system] ?? []).includes(machine);
}
