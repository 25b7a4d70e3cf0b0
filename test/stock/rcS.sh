#!/bin/sh
# /etc/init.d/rcS of the stock test VM (build-stock-disk.sh fills in @kver@): what a
# distribution's boot does, in short. Mounts the API file systems, loads the drivers,
# applies /etc/sysctl.d, brings the network up from /etc/network/interfaces (busybox
# ifup), starts sshd with the system's own host keys and says "stock: ready".
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs /run
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount -o remount,rw /
exec </dev/console >/dev/console 2>&1
hostname "$(cat /etc/hostname)"
echo /sbin/modprobe > /proc/sys/kernel/modprobe
for m in virtio_pci virtio_net virtio_rng virtio_blk; do modprobe "$m" 2>/dev/null; done
for f in /etc/sysctl.d/*.conf; do [ -e "$f" ] && sysctl -q -p "$f"; done
mkdir -p /run/network /run/sshd
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ifup -a
for k in /etc/ssh/ssh_host_*_key; do echo "HostKey $k"; done > /run/sshd_hostkeys.conf
/usr/sbin/sshd -E /run/sshd.log
i=0
while ! awk '$2 ~ /:0016$/ && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null && [ $i -lt 300 ]; do
  sleep 0.1; i=$((i + 1))
done
echo "stock: kernel @kver@, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo)"
echo "stock: ready"
