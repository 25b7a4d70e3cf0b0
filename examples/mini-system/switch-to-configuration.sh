#!@sh@ sh
# switch-to-configuration ACTION, following NixOS: check | switch | boot | test | dry-activate.
# It never touches the system profile; the caller sets that first.
systemConfig=@out@
export PATH=$systemConfig/sw/bin

die() {
    echo "switch-to-configuration: $*" >&2
    exit 1
}

action=$1
case "$action" in
    check|switch|boot|test|dry-activate) ;;
    *)
        echo "Usage: $0 [check|switch|boot|test|dry-activate]" >&2
        exit 1
        ;;
esac

if [ ! -e /etc/NIXOS ] && ! grep -qs '^ID="\{0,1\}nixos"\{0,1\}$' /etc/os-release; then
    die "this is not a NixOS installation (no /etc/NIXOS)"
fi

# busybox has no flock: the lock is a symlink naming the holder's pid (created atomically);
# a lock whose holder is dead is stale and taken over.
lock=/run/nixos/switch-to-configuration.lock
mkdir -p /run/nixos || die "cannot create /run/nixos"
if ! ln -s "$$" "$lock" 2>/dev/null; then
    holder=$(readlink "$lock" 2>/dev/null)
    if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
        die "another switch-to-configuration (pid $holder) holds $lock"
    fi
    rm -f "$lock"
    ln -s "$$" "$lock" 2>/dev/null || die "cannot take the lock $lock"
fi
trap 'rm -f "$lock"' EXIT

if [ "${NIXOS_NO_CHECK:-}" != 1 ]; then
    for f in init activate kernel initrd kernel-params init-interface-version sw/bin/sh; do
        [ -e "$systemConfig/$f" ] || die "pre-switch check failed: $systemConfig/$f is missing"
    done
    # A broken sshd config would lock us out; host keys may not exist yet (fresh install).
    if [ -s /etc/ssh/ssh_host_ed25519_key ] && [ "@brokenSsh@" != 1 ]; then
        mkdir -p /run/sshd
        out=$(@openssh@/bin/sshd -t -f "$systemConfig/etc/ssh/sshd_config" 2>&1) \
            || die "pre-switch check failed: sshd -t: $out"
    fi
fi
[ "$action" = check ] && exit 0

if [ "$action" = dry-activate ]; then
    "$systemConfig/dry-activate"
    exit $?
fi

if [ "$action" = switch ] || [ "$action" = boot ]; then
    "$systemConfig/bin/install-bootloader" "$systemConfig" \
        || die "installing the bootloader failed"
fi

[ "${NIXOS_NO_SYNC:-}" = 1 ] || sync

[ "$action" = boot ] && exit 0

# Only the same init interface can be switched to without a reboot (NixOS exits 100).
if [ -e /run/current-system/init-interface-version ]; then
    if ! cmp -s /run/current-system/init-interface-version "$systemConfig/init-interface-version"; then
        echo "switch-to-configuration: the new system has a different init interface; reboot into it instead" >&2
        exit 100
    fi
fi

"$systemConfig/activate" || die "activation failed"
if [ -n "${IN_NIXOS_ENTER:-}" ]; then
    exit 0
fi
"$systemConfig/bin/start-sshd" || die "restarting sshd failed"
exit 0
