set -eu
root=$1
if [ "${NIXOS_VIA_MARK_ROOT:-}" = 1 ]; then
  mkdir -m 0755 -p "$root/etc"
  touch "$root/etc/NIXOS"
  ln -sfn /proc/mounts "$root/etc/mtab"
fi
for dir in dev proc sys run; do mkdir -p -m 0755 "$root/$dir"; done
# shellcheck disable=SC2016 # the inner script's expansions are the inner sh's, on its own arguments
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
