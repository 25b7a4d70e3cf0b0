#!/bin/sh
# /init of the nixos-via kexec installer (kexec-installer.nix fills in @modules@). Takes
# over the identity of the system it replaced — SSH host keys, authorized keys, addresses,
# routes, DNS — from /nixos-via-identity (an archive the target appended to this initrd
# before `kexec --load`), starts sshd, records its peak memory use, then becomes busybox
# init (reaps orphans, turns `reboot` into a reset).
export PATH=/bin
umask 022
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
exec </dev/console >/dev/console 2>&1
say() { echo "nixos-via-installer: $*"; }
say "kernel $(uname -r), modules @modules@"

echo /sbin/modprobe > /proc/sys/kernel/modprobe
# Drivers for the devices there are (modules.alias), then the usual virtual ones by name.
for a in /sys/bus/*/devices/*/modalias; do
  [ -e "$a" ] && modprobe -q "$(cat "$a")" 2>/dev/null
done
for m in virtio_pci virtio_blk virtio_net virtio_scsi sd_mod ahci; do modprobe -q "$m" 2>/dev/null; done

id=/nixos-via-identity
if [ -d "$id/ssh" ]; then
  for k in "$id"/ssh/ssh_host_*; do cp "$k" /etc/ssh/; done
  chmod 600 /etc/ssh/ssh_host_*_key
fi
[ -f "$id/authorized_keys" ] && cp "$id/authorized_keys" /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys
[ -f "$id/resolv.conf" ] && cp "$id/resolv.conf" /etc/resolv.conf

# The interface the old system called by any name is found again by its MAC address.
iface_of() {
  for n in /sys/class/net/*; do
    [ "$(cat "$n/address" 2>/dev/null)" = "$1" ] && { echo "${n##*/}"; return 0; }
  done
  return 1
}
ip link set lo up
i=0
while [ $i -lt 100 ]; do
  missing=
  if [ -f "$id/network" ]; then
    while read -r kind mac _; do
      [ "$kind" = addr ] && ! iface_of "$mac" >/dev/null && missing=1
    done < "$id/network"
  fi
  [ -z "$missing" ] && break
  sleep 0.1; i=$((i + 1))
done
if [ -f "$id/network" ]; then
  while read -r kind mac rest; do
    dev=$(iface_of "$mac") || { say "no interface with address $mac"; continue; }
    ip link set "$dev" up
    # shellcheck disable=SC2086 # rest is an address or a route: words for ip
    case "$kind" in
      addr) ip addr add $rest dev "$dev" || say "ip addr add $rest dev $dev failed" ;;
      route) ip "${rest%% *}" route replace ${rest#* } dev "$dev" || say "ip route replace ${rest#* } dev $dev failed" ;;
    esac
  done < "$id/network"
fi
say "network: $(ip -o addr show scope global | awk '{ printf "%s %s ", $2, $4 }')"

mkdir -p /run/sshd /run/nixos-via-installer
for k in /etc/ssh/ssh_host_*_key; do
  [ -e "$k" ] && echo "HostKey $k"
done > /run/sshd_hostkeys.conf
if [ ! -s /run/sshd_hostkeys.conf ]; then
  ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
  echo "HostKey /etc/ssh/ssh_host_ed25519_key" > /run/sshd_hostkeys.conf
fi

# Peak memory in use (MemTotal - MemAvailable, KiB), sampled every second for the report.
(
  peak=0
  while :; do
    used=$(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { print t - a }' /proc/meminfo)
    if [ "$used" -gt "$peak" ]; then peak=$used; echo "$peak" > /run/nixos-via-installer/peak-kib; fi
    sleep 1
  done
) &

# -r: sshd runs through the store's loader, so it cannot re-execute itself.
sshd -r -E /run/sshd.log
say "$(awk '/MemTotal/ { t = $2 } /MemAvailable/ { a = $2 } END { printf "%d MiB of %d MiB available", a / 1024, t / 1024 }' /proc/meminfo)"
say ready
exec /sbin/init
