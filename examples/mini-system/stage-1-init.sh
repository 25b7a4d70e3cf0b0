#!/bin/sh
# Stage 1 (initrd /init): find the root file system without udev, then hand over to the
# stage-2 init named on the kernel command line.
# With a disk layout built in (/etc/fstab, from the layout's NixOS module), it does what
# NixOS's stage 1 does for that module: it names devices as udev would
# (/dev/disk/by-partlabel, by-label, by-uuid), assembles md arrays, activates LVM, opens
# LUKS (key file, else a passphrase asked on the console) and mounts the file systems
# needed for boot (/, /nix, /var, …) by the names the module gives them. Without one, it
# tries every block device until one holds the init.
export PATH=/bin:/sbin
# No udev: libdevmapper (cryptsetup, lvm) and mdadm make their device nodes themselves.
export DM_DISABLE_UDEV=1 MDADM_NO_UDEV=1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node, so the kernel could not open one for us.
exec </dev/console >/dev/console 2>&1

fail() {
    echo "stage-1: $*"
    echo "stage-1: dropping to a shell"
    # (fail may be called inside a loop that reads a file on stdin)
    exec sh </dev/console >/dev/console 2>&1
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

# fstab and crypttab fields escape spaces and backslashes as octal (\040, \134).
unescape() { printf '%b' "$(printf '%s' "$1" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g')"; }

# What udev would link: /dev/disk/by-partlabel from the kernel's own partition names, and
# by-label/by-uuid (busybox has no blkid) for the names fstab and crypttab ask for.
link_devices() {
    mkdir -p /dev/disk/by-partlabel /dev/disk/by-label /dev/disk/by-uuid
    for u in /sys/class/block/*/uevent; do
        [ -e "$u" ] || continue
        name='' dev=''
        while IFS='=' read -r k v; do
            case "$k" in
                PARTNAME) name=$v ;;
                DEVNAME) dev=$v ;;
            esac
        done < "$u"
        case "$name" in '' | */* | . | ..) continue ;; esac
        [ -b "/dev/$dev" ] && ln -sfn "../../$dev" "/dev/disk/by-partlabel/$name"
    done
    for want in $(awk '{ print $1 } $2 ~ /^\// { print $2 }' /etc/fstab /etc/crypttab 2>/dev/null); do
        want=$(unescape "$want")
        case "$want" in
            /dev/disk/by-label/*) tag=LABEL ;;
            /dev/disk/by-uuid/*) tag=UUID ;;
            *) continue ;;
        esac
        [ -b "$want" ] && continue
        found=$(findfs "$tag=${want##*/}" 2>/dev/null) && ln -sfn "$found" "$want"
    done
}

# crypttab options -> cryptsetup open options
crypt_options() {
    opts=
    for o in $(echo "$1" | tr ',' ' '); do
        case "$o" in
            discard) opts="$opts --allow-discards" ;;
            no-read-workqueue) opts="$opts --perf-no_read_workqueue" ;;
            no-write-workqueue) opts="$opts --perf-no_write_workqueue" ;;
            keyfile-size=*) opts="$opts --keyfile-size=${o#*=}" ;;
            keyfile-offset=*) opts="$opts --keyfile-offset=${o#*=}" ;;
        esac
    done
    echo "$opts"
}

# Opens each LUKS device of /etc/crypttab whose device is there and which is not open yet.
open_luks() {
    [ -s /etc/crypttab ] || return 0
    while read -r name dev key opts; do
        case "$name" in '' | '#'*) continue ;; esac
        [ -e "/dev/mapper/$name" ] && continue
        dev=$(unescape "$dev")
        [ -b "$dev" ] || continue
        # shellcheck disable=SC2046 # the options are separate words
        if [ "$key" != none ] && [ -e "$(unescape "$key")" ]; then
            echo "stage-1: opening $dev as /dev/mapper/$name with the key file $(unescape "$key")"
            cryptsetup open $(crypt_options "$opts") --key-file "$(unescape "$key")" "$dev" "$name" </dev/null ||
                fail "cannot open $dev"
        else
            echo "stage-1: opening $dev as /dev/mapper/$name"
            cryptsetup open $(crypt_options "$opts") --tries 3 "$dev" "$name" </dev/console ||
                fail "cannot open $dev"
        fi
    done < /etc/crypttab
}

# One round of bringing up what the layout stacks on its disks. Arrays are started
# degraded (--run) only after a while, so that a member that is late is not left out.
assemble() {
    mkdir -p /run/mdadm /run/lock/lvm
    link_devices
    if [ -x /sbin/mdadm ]; then
        if [ "$1" -ge 20 ]; then run=--run; else run=; fi
        mdadm --assemble --scan $run >/dev/null 2>&1
    fi
    [ -x /sbin/lvm ] && lvm vgchange --activate ay --sysinit >/dev/null 2>&1
    open_luks
    [ -x /sbin/lvm ] && [ -s /etc/crypttab ] && lvm vgchange --activate ay --sysinit >/dev/null 2>&1
    link_devices
}

# The file systems NixOS mounts in stage 1 (utils.pathsNeededForBoot).
needed_for_boot() {
    case "$1" in
        / | /nix | /nix/store | /var | /var/log | /var/lib | /var/lib/nixos | /etc | /usr) return 0 ;;
    esac
    return 1
}

boot_from_fstab() {
    i=0
    while :; do
        assemble $i
        missing=
        while read -r dev mp type opts rest; do
            case "$dev" in '' | '#'*) continue ;; esac
            needed_for_boot "$(unescape "$mp")" || continue
            [ "$type" = tmpfs ] || [ -b "$(unescape "$dev")" ] || missing="$missing $(unescape "$dev")"
        done < /etc/fstab
        [ -z "$missing" ] && break
        i=$((i + 1))
        [ $i -lt 120 ] || fail "no device$missing (after 30 s)"
        sleep 0.25
    done
    while read -r dev mp type opts rest; do
        case "$dev" in '' | '#'*) continue ;; esac
        dev=$(unescape "$dev") mp=$(unescape "$mp") opts=$(unescape "$opts")
        needed_for_boot "$mp" || continue
        mkdir -p "/mnt-root$mp"
        mount -t "$type" -o "$opts" "$dev" "/mnt-root$mp" || fail "cannot mount $dev on $mp"
        echo "stage-1: mounted $dev on $mp ($type, $opts)"
    done < /etc/fstab
    [ -e "/mnt-root$init" ] || [ -L "/mnt-root$init" ] || fail "the file systems of /etc/fstab hold no $init"
    found=$(awk '$2 == "/" { print $1 }' /etc/fstab)
}

try_mount() {
    for fs in ext4 btrfs xfs; do
        mount -t "$fs" -o ro "$1" /mnt-root 2>/dev/null && return 0
    done
    return 1
}

# Partitions show up asynchronously after the block drivers load: poll for a while.
boot_from_any_device() {
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
    mount -o remount,rw /mnt-root || fail "cannot remount $found read-write"
}

if [ -s /etc/fstab ]; then boot_from_fstab; else boot_from_any_device; fi

echo "stage-1: root is $found, switching to $init"

umount /proc /sys
umount /dev 2>/dev/null || umount -l /dev
exec switch_root /mnt-root "$init"
