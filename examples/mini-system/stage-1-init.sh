#!/bin/sh
# Stage 1 (initrd /init): find the root filesystem without udev and without knowing the
# disk layout, then hand over to the stage-2 init named on the kernel command line.
export PATH=/bin:/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node, so the kernel could not open one for us.
exec </dev/console >/dev/console 2>&1

fail() {
    echo "stage-1: $*"
    echo "stage-1: dropping to a shell"
    exec sh
}

echo "stage-1: loading kernel modules"
for m in @modules@; do
    # crc32c-intel needs SSE4.2, which emulated CPUs may lack: a failure here is harmless.
    modprobe "$m" 2>/dev/null || echo "stage-1: module $m not loaded"
done

init=
root=
for o in $(cat /proc/cmdline); do
    case "$o" in
        init=*) init="${o#init=}" ;;
        root=/dev/*|root=LABEL=*) root="${o#root=}" ;;
    esac
done
[ -n "$init" ] || fail "no init= on the kernel command line"

try_mount() {
    for fs in ext4 btrfs xfs; do
        mount -t "$fs" -o ro "$1" /mnt-root 2>/dev/null && return 0
    done
    return 1
}

# Partitions show up asynchronously after the block drivers load: poll for a while.
found=
i=0
while [ $i -lt 60 ] && [ -z "$found" ]; do
    if [ -n "$root" ] && [ "${root#LABEL=}" != "$root" ]; then
        # busybox findfs reads the labels from the devices themselves (no udev here).
        candidates=$(findfs "$root" 2>/dev/null)
    elif [ -n "$root" ]; then
        candidates="$root"
    else
        candidates=
        for b in /sys/class/block/*; do
            [ -e "$b" ] || continue
            n=${b##*/}
            case "$n" in loop*|ram*|sr*|fd*) continue ;; esac
            candidates="$candidates /dev/$n"
        done
    fi
    for dev in $candidates; do
        [ -b "$dev" ] || continue
        if try_mount "$dev"; then
            # -L too: the init is normally a file, but a symlink to it must count as well.
            if [ -e "/mnt-root$init" ] || [ -L "/mnt-root$init" ]; then
                found="$dev"
                break
            fi
            umount /mnt-root
        fi
    done
    [ -n "$found" ] && break
    i=$((i + 1))
    sleep 0.25
done
[ -n "$found" ] || fail "no block device holds $init (root=${root:-any})"

echo "stage-1: root is $found, switching to $init"
mount -o remount,rw /mnt-root || fail "cannot remount $found read-write"

umount /proc /sys
umount /dev 2>/dev/null || umount -l /dev
exec switch_root /mnt-root "$init"
