#!/usr/bin/env bash
# Builds the "stock Linux" VM disk of the kexec tests: a Debian-like system installed on a
# virtio disk, not a rescue system. GPT: an ESP with systemd-boot, Debian's kernel and a
# small stage-1 initramfs, and an ext4 root holding the host's programs (dash, coreutils,
# util-linux, OpenSSH…, the rescue system's userland: test/rescue/build-initramfs.sh) with
# its own SSH host key and its network configured statically in /etc/network/interfaces,
# the way cloud images do. No Nix, no kexec-tools. Boots with OVMF. See README.md.
#
# Usage: build-stock-disk.sh --host-key-dir DIR --authorized-keys FILE --initrd FILE [--size SIZE] DISK
#   --host-key-dir DIR     the system's SSH host keys (DIR/ssh_host_*_key + .pub)
#   --authorized-keys FILE root's ~/.ssh/authorized_keys
#   --initrd FILE          the stage-1 initramfs: one that mounts root=/dev/X and runs init=
#                          (the example system's initrd does)
#   --size SIZE            the disk's size (truncate -s) @default 2G
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
HOST_KEY_DIR= AUTHORIZED_KEYS= INITRD= SIZE=2G disk=
die() { echo "build-stock-disk: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case "$1" in
    --host-key-dir) HOST_KEY_DIR=$2; shift 2 ;;
    --authorized-keys) AUTHORIZED_KEYS=$2; shift 2 ;;
    --initrd) INITRD=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) [ -z "$disk" ] || die "only one DISK"; disk=$1; shift ;;
  esac
done
[ -n "$disk" ] && [ -n "$HOST_KEY_DIR" ] && [ -n "$AUTHORIZED_KEYS" ] && [ -n "$INITRD" ] || die "usage: see --help"
[ "$(id -u)" = 0 ] || die "run as root (file ownership in the root file system)"
[ -f "$INITRD" ] || die "no initramfs $INITRD"

work=$(mktemp -d /tmp/nixos-via-stock.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The userland: the rescue system's root (host programs with their libraries, busybox for
# the rest), without its /init: here a real init runs from the disk.
bash "$repo/test/rescue/build-initramfs.sh" --host-key-dir "$HOST_KEY_DIR" --authorized-keys "$AUTHORIZED_KEYS" "$work/rescue" >/dev/null
r=$work/root
mkdir -p "$r"
(cd "$r" && gzip -dc "$work/rescue/initramfs.gz" | cpio --quiet -i -d -m)
rm -f "$r/init"
kver=$(ls "$r/lib/modules")

printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm) (nixos-via stock test VM)"\nNAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n' > "$r/etc/os-release"
echo stock > "$r/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 stock\n' > "$r/etc/hosts"
printf '/dev/vda2 / ext4 defaults 0 1\n' > "$r/etc/fstab"
cat > "$r/etc/profile" <<'PR'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PS1='stock# '
PR
# Static network configuration in a file, as cloud-init writes it on Debian images.
# (One file: busybox ifup reads no "source" lines.)
mkdir -p "$r/etc/network"
cat > "$r/etc/network/interfaces" <<'N'
# written by cloud-init
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
    address 10.0.2.15
    netmask 255.255.255.0
    gateway 10.0.2.2

iface eth0 inet6 static
    address 2001:db8:15::15
    netmask 64
    gateway 2001:db8:15::1
N
echo 'nameserver 10.0.2.3' > "$r/etc/resolv.conf"
rm -f "$r/run/resolv.conf"
cat > "$r/etc/inittab" <<'I'
::sysinit:/etc/init.d/rcS
::respawn:/usr/bin/cttyhack /bin/sh -l
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/init.d/rcK
I
mkdir -p "$r/etc/init.d" "$r/etc/sysctl.d"
sed "s|@kver@|$kver|g" "$here/rcS.sh" > "$r/etc/init.d/rcS"
printf '#!/bin/sh\necho "stock: going down"\nsync\nmount -o remount,ro / 2>/dev/null\n' > "$r/etc/init.d/rcK"
chmod 755 "$r/etc/init.d/rcS" "$r/etc/init.d/rcK"
ln -sf ../bin/busybox "$r/usr/sbin/ifup"; ln -sf ../bin/busybox "$r/usr/sbin/ifdown"; ln -sf ../bin/busybox "$r/usr/sbin/sysctl"
mkdir -p "$r/run/network"

# The ESP: systemd-boot, the kernel and the stage-1 initramfs (written with mtools).
esp=$work/esp.img
truncate -s 64M "$esp"
mkfs.fat -F 32 -n ESP "$esp" >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries ::/debian
mcopy -i "$esp" /usr/lib/systemd/boot/efi/systemd-bootx64.efi ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$esp" "$repo/.cache/debian-kernel/boot/vmlinuz-$kver" ::/debian/vmlinuz
mcopy -i "$esp" "$INITRD" ::/debian/initrd.img
printf 'timeout 0\ndefault debian.conf\n' > "$work/loader.conf"
printf 'title Debian (stock)\nlinux /debian/vmlinuz\ninitrd /debian/initrd.img\noptions root=/dev/vda2 init=/sbin/init console=ttyS0 panic=10\n' > "$work/debian.conf"
mcopy -i "$esp" "$work/loader.conf" ::/loader/loader.conf
mcopy -i "$esp" "$work/debian.conf" ::/loader/entries/debian.conf

rootimg=$work/root.img
truncate -s 1G "$rootimg"
mkfs.ext4 -q -L root -d "$r" "$rootimg"

rm -f "$disk"
truncate -s "$SIZE" "$disk"
sgdisk -n1:2048:+64M -t1:ef00 -c1:ESP -n2:0:+1G -t2:8300 -c2:root "$disk" >/dev/null
dd if="$esp" of="$disk" bs=1M seek=1 conv=notrunc status=none
dd if="$rootimg" of="$disk" bs=1M seek=$((1 + 64)) conv=notrunc status=none
echo "build-stock-disk: $disk (kernel $kver)"
