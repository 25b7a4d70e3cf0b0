import type { Target } from "./Target.js";
import selectNixStore from "./selectNixStore.sh";

/**
 * Shell functions (a library, `selectNixStore.sh`): `select_nix_store ROOT` picks the
 * nix-store that reads the database under ROOT, or prints `error=…` and fails; then
 * `nix_store ARGS…` runs it and `nix_store_xargs ARGS…` runs it through xargs. With
 * `NIXOS_VIA_NIX_STORE=host` in the environment ({@link nixStoreEnv}: a root that is a
 * tree on this machine) only this machine's Nix, pointed at the root: a program from the
 * root would run as this machine's root. Otherwise the running system's on a live target,
 * else the root's own system's (its schema), else one on the target's PATH pointed at the
 * root. The root's own is not started to see whether it runs there (~30 ms of the target's
 * CPU a start): each call runs it through chroot, and a call whose chroot says it could not
 * run it (exit 125–127: nix-store read nothing) runs again with the one on PATH, or prints
 * the `error=…` line when there is none. A failure of a nix-store that ran is returned as it
 * is. Shared by every script that reads the store: they start with this text, and need `sh`
 * on PATH (xargs runs the root's nix-store through it).
 */
export const SELECT_NIX_STORE: string = selectNixStore;

/**
 * The environment a script with {@link SELECT_NIX_STORE} needs on this target.
 *
 * @example
 * ```ts
 * target.exec(["sh", "-c", GENERATIONS_SCRIPT, "nixos-via-generations", target.root], { env: nixStoreEnv(target) });
 * ```
 */
export function nixStoreEnv(target: Pick<Target, "capabilities">): Readonly<Record<string, string>> {
  return target.capabilities.hostNix ? { NIXOS_VIA_NIX_STORE: "host" } : {};
}
