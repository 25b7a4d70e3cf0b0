import enterScript from "./enter.sh";

/**
 * Runs a command inside a system root the way `nixos-enter` does: its own mount, PID and
 * UTS namespaces (mounts vanish with it and never show on the host), `/dev` and `/sys`
 * bound from the host, a fresh `/proc` and `/run`, then optionally the system's
 * `activate` (with `IN_NIXOS_ENTER=1`; it creates `/run/current-system`, `/etc`, users),
 * then the command, chrooted.
 *
 * Arguments: root, the activate script or `-` for none, then the command's argv. With
 * `NIXOS_VIA_MARK_ROOT=1` it first marks the root as NixOS (`etc/NIXOS`, `etc/mtab`), as
 * nixos-install does before it enters: one command instead of two on slow links.
 */
export const ENTER_SCRIPT: string = enterScript;

/**
 * The argv that runs `argv` inside `root`, activating `activate` first unless it is undefined.
 *
 * @example
 * ```ts
 * enterArgv("/mnt", "/nix/store/…-system/activate", ["/run/current-system/bin/switch-to-configuration", "boot"]);
 * ```
 */
export function enterArgv(root: string, activate: string | undefined, argv: readonly string[]): string[] {
  return ["sh", "-c", ENTER_SCRIPT, "nixos-via-enter", root, activate ?? "-", ...argv];
}
