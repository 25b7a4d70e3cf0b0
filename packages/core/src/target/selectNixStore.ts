import type { Target } from "./Target.js";

/**
 * Shell lines that set "$@" to the nix-store that reads the database under "$root".
 * With `NIXOS_VIA_NIX_STORE=host` in the environment ({@link nixStoreEnv}: a root that is
 * a tree on this machine) only this machine's Nix, pointed at the root: a program from the
 * root would run as this machine's root. Otherwise the running system's on a live target,
 * else the root's own system's (its schema), else one on the target's PATH pointed at the
 * root. Shared by every script that reads the store.
 */
export const SELECT_NIX_STORE = `if [ "\${NIXOS_VIA_NIX_STORE:-}" = host ]; then
  command -v nix-store >/dev/null 2>&1 || { echo 'error=this machine has no nix-store to read the root with (install Nix)'; exit 0; }
  set -- nix-store --store "local?root=$root"
elif [ "$root" = / ] && command -v nix-store >/dev/null 2>&1; then
  set -- nix-store
elif chroot "$root" /nix/var/nix/profiles/system/sw/bin/nix-store --version >/dev/null 2>&1; then
  set -- chroot "$root" /nix/var/nix/profiles/system/sw/bin/nix-store
elif command -v nix-store >/dev/null 2>&1; then
  set -- nix-store --store "local?root=$root"
else
  echo 'error=the target has a Nix database but no nix-store to read it with'; exit 0
fi`;

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
