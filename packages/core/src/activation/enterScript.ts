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
export const ENTER_SCRIPT = `set -eu
root=$1
if [ "\${NIXOS_VIA_MARK_ROOT:-}" = 1 ]; then
  mkdir -m 0755 -p "$root/etc"
  touch "$root/etc/NIXOS"
  ln -sfn /proc/mounts "$root/etc/mtab"
fi
for dir in dev proc sys run; do mkdir -p -m 0755 "$root/$dir"; done
exec unshare --fork --mount --uts --mount-proc --pid -- sh -eu -c '
root=$1; activate=$2; shift 2
chroot=$(command -v chroot)
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
if [ "$activate" != - ]; then
  if ! IN_NIXOS_ENTER=1 "$chroot" "$root" "$activate" 1>&2; then
    echo "nixos-via: the activation script $activate failed" >&2
    exit 1
  fi
fi
PATH=/run/current-system/sw/bin exec "$chroot" "$root" "$@"
' nixos-via-enter "$@"
`;

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
