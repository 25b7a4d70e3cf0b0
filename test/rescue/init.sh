#!/bin/sh
# /init of the nixos-via rescue system (template: build-initramfs.sh fills in @…@).
# Sets the machine up, starts sshd, prints "nixos-via-rescue: ready" on the console and
# then becomes busybox init (PID 1: reaps children, handles reboot/poweroff, keeps a
# shell on the console).
#
# Kernel command line knobs (all optional):
#   rescue.ip=10.0.2.15/24  rescue.gw=10.0.2.2  rescue.dns=10.0.2.3   (QEMU user net)
#   rescue.ip=dhcp          ask with udhcpc instead
#   rescue.shell            stop before sshd with a shell on the console (debugging)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
umask 022

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
exec </dev/console >/dev/console 2>&1

say() { echo "nixos-via-rescue: $*"; }

ip_addr=10.0.2.15/24 gw=10.0.2.2 dns=10.0.2.3 shell=
# shellcheck disable=SC2013 # the kernel command line is one line of words
for o in $(cat /proc/cmdline); do
  case "$o" in
    rescue.ip=*) ip_addr=${o#*=} ;;
    rescue.gw=*) gw=${o#*=} ;;
    rescue.dns=*) dns=${o#*=} ;;
    rescue.shell) shell=1 ;;
  esac
done

hostname "$(cat /etc/hostname)"
echo /sbin/modprobe > /proc/sys/kernel/modprobe 2>/dev/null

# shellcheck disable=SC2043 # build-initramfs.sh puts the module list in place of @modules@
for m in @modules@; do
  modprobe "$m" 2>/dev/null || echo "nixos-via-rescue: module $m not loaded" >/dev/kmsg
done
if [ -d /sys/firmware/efi ]; then
  modprobe efivarfs 2>/dev/null
  mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
fi

# network: lo, then the first ethernet interface (virtio-net shows up as eth0)
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  if [ "$ip_addr" = dhcp ]; then
    udhcpc -i eth0 -n -q -t 10 -s /etc/udhcpc.script >/dev/null 2>&1 || say "dhcp failed on eth0"
  else
    ip addr add "$ip_addr" dev eth0
    ip route add default via "$gw" dev eth0 2>/dev/null
    echo "nameserver $dns" > /run/resolv.conf
  fi
else
  say "no eth0"
fi
[ -e /run/resolv.conf ] || : > /run/resolv.conf
ln -sf /run/resolv.conf /etc/resolv.conf

if [ -n "$shell" ]; then
  say "rescue.shell: exit the shell to continue"
  /bin/sh -l
fi

# sshd: host keys from the image, else a fresh ed25519 key (RSA would take long in TCG)
mkdir -p -m 0755 /run/sshd
if ! ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1; then
  ssh-keygen -q -t ed25519 -N '' -C root@rescue -f /etc/ssh/ssh_host_ed25519_key
fi
for k in /etc/ssh/ssh_host_*_key; do echo "HostKey $k"; done > /run/sshd_hostkeys.conf
for k in /etc/ssh/ssh_host_*_key.pub; do
  [ -e "$k" ] && say "host key $(ssh-keygen -l -f "$k" | awk '{print $1, $2, $NF}')"
done
/usr/sbin/sshd -D -E /run/sshd.log &
i=0
# wait until something listens on port 22 (0016 in /proc/net/tcp{,6}, state 0A)
while ! awk '$2 ~ /:0016$/ && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 300 ] || ! kill -0 $! 2>/dev/null; then
    say "sshd did not start:"; cat /run/sshd.log
    break
  fi
  sleep 0.1
done

say "$(awk '{ print "up " $1 " s" }' /proc/uptime), $(awk '/MemTotal/ { t = $2 } /MemAvailable/ { a = $2 } END { printf "%d MiB of %d MiB available", a / 1024, t / 1024 }' /proc/meminfo)"
say ready
exec /sbin/init
