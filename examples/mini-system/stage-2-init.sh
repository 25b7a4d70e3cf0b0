#!@sh@ sh
# Stage 2 init, PID 1 of the installed system.
systemConfig=@out@
export PATH=$systemConfig/sw/bin
export HOME=/root

# In a container (systemd's container interface: the manager sets $container and has
# mounted /proc, /sys, /dev and /run already; nixos-via also leaves /run/host/container-manager)
# there is no console device, no disk and no network to configure: stdout is the console.
in_container=
if [ -n "${container:-}" ] || [ -e /run/host/container-manager ]; then in_container=1; fi

mkdir -p /proc /sys /dev /run /tmp /boot
if [ -z "$in_container" ]; then
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    mount -t devtmpfs devtmpfs /dev 2>/dev/null
    mkdir -p /dev/pts /dev/shm
    mount -t devpts devpts /dev/pts
    mount -t tmpfs -o mode=0755 tmpfs /run
    exec </dev/console >/dev/console 2>&1
fi

echo "stage-2: booting $systemConfig${in_container:+ as a container ($container)}"

# With a disk layout, etc/fstab (from the layout's NixOS module) says what to mount: stage 1
# mounted what boot needs (/, /nix…) and named the devices (/dev/disk/by-partlabel…); the
# rest is mounted here and swap is switched on. Fields escape spaces as \040.
unescape() { printf '%b' "$(printf '%s' "$1" | sed 's/\\\([0-7][0-7][0-7]\)/\\0\1/g')"; }
mount_fstab() {
    while read -r dev mp type opts rest; do
        case "$dev" in '' | '#'*) continue ;; esac
        dev=$(unescape "$dev") opts=$(unescape "$opts")
        if [ "$type" = swap ]; then
            swapon "$dev" && echo "stage-2: swap on $dev"
            continue
        fi
        # /proc/mounts escapes the same way fstab does: compare the escaped forms.
        awk -v mp="$mp" '$2 == mp { f = 1 } END { exit !f }' /proc/mounts && continue
        mp=$(unescape "$mp")
        mkdir -p "$mp"
        mount -t "$type" -o "$opts" "$dev" "$mp" && echo "stage-2: mounted $dev on $mp"
    done < "$1"
}

# Without one, the ESP (or any vfat partition) on the root's disk is /boot, so that
# switch-to-configuration can update the bootloader later. No vfat partition: nothing to
# mount. busybox-static has no blkid, so FAT is recognised by the file system type string
# in its boot sector.
is_vfat() {
    [ "$(dd if="$1" bs=1 skip=82 count=5 2>/dev/null)" = FAT32 ] ||
        [ "$(dd if="$1" bs=1 skip=54 count=4 2>/dev/null)" = FAT1 ]
}
mount_esp() {
    rootdev=$(awk '$2 == "/" && $1 ~ /^\/dev\// { print $1 }' /proc/mounts | tail -n 1)
    [ -n "$rootdev" ] && [ -e "/sys/class/block/${rootdev#/dev/}/partition" ] || return 0
    disk=$(basename "$(dirname "$(readlink -f "/sys/class/block/${rootdev#/dev/}")")")
    for p in /sys/class/block/"$disk"/"$disk"*; do
        [ -e "$p/partition" ] || continue
        d=/dev/${p##*/}
        if [ "$d" != "$rootdev" ] && is_vfat "$d"; then
            mount -t vfat -o umask=0077 "$d" /boot && echo "stage-2: mounted $d on /boot"
            break
        fi
    done
}

# A container's file systems are its host's business.
if [ -n "$in_container" ]; then :
elif [ -s "$systemConfig/etc/fstab" ]; then mount_fstab "$systemConfig/etc/fstab"; else mount_esp; fi

ln -sfn "$systemConfig" /run/booted-system
"$systemConfig/activate" || echo "stage-2: activation failed (exit $?)"

hostname "$(cat /etc/hostname 2>/dev/null || echo nixos-via)"
ip link set lo up
ip addr add 127.0.0.1/8 dev lo 2>/dev/null
# A container's manager configures its network (a veth pair) from outside.
if [ -z "$in_container" ]; then
    i=0
    while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0
    ip route add default via 10.0.2.2
    echo "nameserver 10.0.2.3" > /run/resolv.conf
fi

"$systemConfig/bin/start-sshd"

if [ -n "$in_container" ]; then
    echo "nixos-via-example: generation @generation@ up"
    # Stopping a container: end every process in it, then PID 1 exits and the kernel
    # removes the namespaces (and their mounts and veth pair) with it.
    trap 'echo "stage-2: stopping"; kill -TERM -1 2>/dev/null; sleep 0.5; exit 0' USR2 TERM INT
else
    echo "nixos-via-example: generation @generation@ up" > /dev/console
    # PID 1 must never exit and must reap orphans; ash's wait collects any child.
    trap 'sync; umount -a -r 2>/dev/null; poweroff -f' USR2 TERM
    trap 'sync; umount -a -r 2>/dev/null; reboot -f' INT
fi
while :; do
    sleep 3600 &
    wait
done
