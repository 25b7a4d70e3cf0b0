#!/usr/bin/env bash
# Builds the nixos-via "rescue system": Debian's kernel plus an initramfs made of this
# host's own binaries (OpenSSH, util-linux, e2fsprogs, dosfstools, gdisk, GNU tar, …) and
# static busybox. It boots in QEMU into a shell-only system that listens for SSH on port
# 22 with a blank disk attached — the situation of a cloud provider's rescue mode. It has
# no nix, node, python or kexec on purpose. See README.md.
#
# Usage: build-initramfs.sh [options] OUT_DIR
#   --host-key-dir DIR     bake DIR/ssh_host_*_key (+ .pub) in as sshd's host keys
#                          (default: an ed25519 key is generated at every boot)
#   --authorized-keys FILE root's /root/.ssh/authorized_keys
#   --kernel-dir DIR       unpacked Debian kernel (boot/vmlinuz-*, lib/modules/*)
#                          (default: <repo>/.cache/debian-kernel)
#   --busybox-only         a busybox userland (/bin/sh is busybox ash; no dash, coreutils,
#                          util-linux mount, GNU tar or zstd) plus only the disk tools
#                          busybox lacks; file system, dm-crypt and md modules are shipped
#                          but not loaded: busybox modprobe loads them on demand
# The same options can be given as environment variables HOST_KEY_DIR, AUTHORIZED_KEYS,
# KERNEL_DIR, BUSYBOX_ONLY=1. Writes OUT_DIR/vmlinuz, OUT_DIR/initramfs.gz and OUT_DIR/manifest.txt.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

HOST_KEY_DIR=${HOST_KEY_DIR:-}
AUTHORIZED_KEYS=${AUTHORIZED_KEYS:-}
KERNEL_DIR=${KERNEL_DIR:-$repo/.cache/debian-kernel}
BUSYBOX_ONLY=${BUSYBOX_ONLY:-}
out=

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"; }
die() { echo "build-initramfs: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --host-key-dir) HOST_KEY_DIR=$2; shift 2 ;;
    --host-key-dir=*) HOST_KEY_DIR=${1#*=}; shift ;;
    --authorized-keys) AUTHORIZED_KEYS=$2; shift 2 ;;
    --authorized-keys=*) AUTHORIZED_KEYS=${1#*=}; shift ;;
    --kernel-dir) KERNEL_DIR=$2; shift 2 ;;
    --kernel-dir=*) KERNEL_DIR=${1#*=}; shift ;;
    --busybox-only) BUSYBOX_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$out" ] || die "only one OUT_DIR"; out=$1; shift ;;
  esac
done
[ -n "$out" ] || { usage >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (device nodes and file ownership in the image)"

# ---------------------------------------------------------------------------- inputs
busybox=/bin/busybox
{ [ -x "$busybox" ] && "$busybox" --list >/dev/null; } || die "static busybox missing (apt-get install busybox-static)"
file "$busybox" 2>/dev/null | grep -q dynamically && die "$busybox is not static"

[ -d "$KERNEL_DIR/lib/modules" ] || die "no unpacked kernel at $KERNEL_DIR (run scripts/setup.sh)"
kver=$(find "$KERNEL_DIR/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -n1)
[ -n "$kver" ] || die "$KERNEL_DIR/lib/modules is empty"
vmlinuz=$KERNEL_DIR/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || die "missing $vmlinuz"
kmods=$KERNEL_DIR/lib/modules/$kver

if [ -n "$HOST_KEY_DIR" ]; then
  ls "$HOST_KEY_DIR"/ssh_host_*_key >/dev/null 2>&1 || die "no ssh_host_*_key in $HOST_KEY_DIR"
fi
if [ -n "$AUTHORIZED_KEYS" ]; then
  [ -f "$AUTHORIZED_KEYS" ] || die "no file $AUTHORIZED_KEYS"
fi

# Host programs: name -> they must exist. The path inside the image is the host's path
# (Debian 12 is merged-/usr, the image too).
required_programs=(
  sshd ssh-keygen
  sgdisk partx wipefs blkid losetup mount umount unshare chroot
  mke2fs mkfs.fat mkswap
  tar gzip zstd
)
# Whole Debian packages (their programs): dash is /bin/sh, and GNU coreutils, findutils,
# grep and sed replace busybox's applets. This matters: Debian's busybox-static is built
# with FEATURE_PREFER_APPLETS/SH_STANDALONE, so busybox ash (and busybox env, xargs, find
# -exec, timeout, nice…) runs busybox's own applets even when PATH names a real program —
# `sh -c "tar …"` would get busybox tar, `mount --rbind` busybox mount. With dash as /bin/sh
# and these tools from the host, PATH decides, as on any Debian rescue system.
host_packages=( dash coreutils findutils grep sed )
# Taken along when the host has them (useful for layouts: MBR, LUKS, btrfs, checks).
optional_programs=(
  sfdisk parted e2fsck resize2fs tune2fs findmnt lsblk mountpoint nsenter fsck.fat
  cryptsetup mkfs.btrfs btrfs mkfs.xfs dmsetup
)
# LVM: the lvm binary and the names it answers to (pvcreate, vgchange, lvs…), when the host
# has lvm2. Without udev in the image, lvm.conf below makes it scan /dev and make its own
# device nodes.
lvm_programs=()
if lvm=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v lvm 2>/dev/null); then
  lvm_programs=( lvm )
  for f in $(dpkg -L lvm2 2>/dev/null | grep -E '^/(usr/)?sbin/[^/]+$'); do
    [ -L "$f" ] && [ "$(readlink -f "$f")" = "$(readlink -f "$lvm")" ] && lvm_programs+=( "${f##*/}" )
  done
fi
# Kernel modules loaded at boot (dependencies are added automatically). Ones that fail to
# load (CPU features missing under TCG) are harmless.
device_modules=( virtio_pci virtio_blk virtio_net virtio_rng virtio_scsi sd_mod )
storage_modules=(
  crc32c_generic crc32c_intel libcrc32c ext4
  vfat nls_cp437 nls_iso8859_1 nls_ascii nls_utf8
  loop dm_mod dm_crypt xts ecb essiv aesni_intel af_alg algif_skcipher algif_hash
)
boot_modules=( "${device_modules[@]}" "${storage_modules[@]}" )
# Shipped but not loaded (modprobe finds them when asked).
extra_modules=( efivarfs nvme ahci )
# LVM's segment types beyond linear (snapshots, mirrors, thin pools), loaded on demand.
if [ ${#lvm_programs[@]} -gt 0 ]; then extra_modules+=( dm_snapshot dm_mirror dm_thin_pool ); fi
# btrfs/xfs only when their mkfs comes along (they are big).
if command -v mkfs.btrfs >/dev/null 2>&1; then extra_modules+=( btrfs blake2b_generic xxhash_generic ); fi
if command -v mkfs.xfs >/dev/null 2>&1; then extra_modules+=( xfs ); fi
# mdadm's Debian package wants udev, so it may be unpacked into .cache instead (setup.sh).
mdadm=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v mdadm 2>/dev/null) || mdadm=$repo/.cache/mdadm/sbin/mdadm
[ -x "$mdadm" ] || mdadm=

if [ -n "$BUSYBOX_ONLY" ]; then
  # What busybox has (sh, mount, losetup, tar, gzip, unshare, chroot, mkswap, modprobe…)
  # comes from busybox; only disk tools it lacks (or whose applet cannot do a layout's
  # job: no mkfs.ext4, no mkfs.vfat) come from the host.
  host_packages=()
  required_programs=( sshd ssh-keygen sgdisk partx wipefs mke2fs mkfs.fat )
  optional_programs=( cryptsetup mkfs.btrfs btrfs mkfs.xfs )
  # Only what booting and the network need is loaded; the rest waits for modprobe.
  boot_modules=( "${device_modules[@]}" )
  extra_modules+=( "${storage_modules[@]}" )
fi
if [ -n "$mdadm" ]; then extra_modules+=( md_mod raid0 raid1 raid10 raid456 ); fi

# ---------------------------------------------------------------------------- staging
work=$(mktemp -d /tmp/nixos-via-rescue.XXXXXX)
trap 'rm -rf "$work"' EXIT
r=$work/root
mkdir -p "$r"/usr/bin "$r"/usr/sbin "$r"/usr/lib "$r"/usr/lib64
ln -s usr/bin "$r/bin"; ln -s usr/sbin "$r/sbin"; ln -s usr/lib "$r/lib"; ln -s usr/lib64 "$r/lib64"
mkdir -p "$r"/{dev,proc,sys,run,tmp,mnt,root/.ssh,etc/ssh,var/empty,var/log,home}
chmod 1777 "$r/tmp"; chmod 700 "$r/root" "$r/root/.ssh"; chmod 755 "$r/var/empty"
ln -s ../run "$r/var/run"
# The kernel opens /dev/console before /init runs.
mknod -m 600 "$r/dev/console" c 5 1
mknod -m 666 "$r/dev/null" c 1 3

manifest=$work/manifest.txt
: > "$manifest"

# -- shared libraries -------------------------------------------------------------
copy_file() { # host path -> same path in the image (symlinks resolved)
  local src=$1 dst=$r$1
  [ -e "$dst" ] && return 0
  mkdir -p "$(dirname "$dst")"
  cp -L --preserve=mode "$src" "$dst"
}
copy_libs() {
  local f=$1 lib
  # "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)"
  { ldd "$f" 2>/dev/null || true; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
  while read -r lib; do
    copy_file "$lib"
  done
  if ldd "$f" 2>/dev/null | grep -q 'not found'; then die "$f: library not found: $(ldd "$f" | grep 'not found')"; fi
}
add_program() { # NAME [required]
  local name=$1 path real
  case "$name" in
    /*) path=$name; [ -e "$path" ] || path= ;;
    *) path=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$name" 2>/dev/null) || path= ;;
  esac
  if [ -z "$path" ]; then
    [ "${2:-}" = required ] && die "host program $name missing"
    echo "program $name: not on this host, left out" >> "$manifest"; return 0
  fi
  # /sbin/x and /usr/sbin/x are the same on merged /usr; use the /usr path.
  case "$path" in /bin/*|/sbin/*) path=/usr$path ;; esac
  real=$(readlink -f "$path")
  case "$real" in /bin/*|/sbin/*) real=/usr$real ;; esac
  copy_file "$real"
  if [ "$real" != "$path" ] && [ ! -e "$r$path" ]; then
    ln -s "$(basename "$real")" "$r$path" 2>/dev/null || cp "$r$real" "$r$path"
  fi
  copy_libs "$real"
  if [ "$real" = "$path" ]; then echo "program $name: $path"; else echo "program $name: $path -> $real"; fi >> "$manifest"
}
for pkg in "${host_packages[@]}"; do
  files=$(dpkg -L "$pkg" 2>/dev/null | grep -E '^/(usr/)?s?bin/[^/]+$') || die "host package $pkg missing (dpkg -L $pkg)"
  for f in $files; do add_program "$f"; done
done
[ -n "$BUSYBOX_ONLY" ] || [ "$(readlink -f "$r/usr/bin/sh")" = "$r/usr/bin/dash" ] || die "/bin/sh in the image is not dash"
for p in "${required_programs[@]}"; do add_program "$p" required; done
for p in "${optional_programs[@]}"; do add_program "$p"; done
for p in "${lvm_programs[@]}"; do add_program "$p"; done
[ ${#lvm_programs[@]} -gt 0 ] || echo "program lvm: not on this host, left out" >> "$manifest"
if [ -n "$mdadm" ]; then
  install -m 755 "$mdadm" "$r/usr/sbin/mdadm"
  copy_libs "$mdadm"
  echo "program mdadm: /usr/sbin/mdadm (from $mdadm)" >> "$manifest"
else
  echo "program mdadm: not on this host, left out" >> "$manifest"
fi
# argv[0]-dispatched names
ln -sf mke2fs "$r/usr/sbin/mkfs.ext4"; ln -sf mke2fs "$r/usr/sbin/mkfs.ext3"; ln -sf mke2fs "$r/usr/sbin/mkfs.ext2"
ln -sf mkfs.fat "$r/usr/sbin/mkfs.vfat"; ln -sf mkfs.fat "$r/usr/sbin/mkdosfs"
[ -e "$r/usr/sbin/e2fsck" ] && ln -sf e2fsck "$r/usr/sbin/fsck.ext4"
ln -sf zstd "$r/usr/bin/unzstd"; ln -sf zstd "$r/usr/bin/zstdcat"
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$r/etc/"
# mkfs.fat converts labels with iconv (codepage 850): glibc's gconv modules for that
gconv=/usr/lib/x86_64-linux-gnu/gconv
if [ -f "$gconv/gconv-modules" ]; then
  mkdir -p "$r$gconv"
  cp "$gconv/gconv-modules" "$r$gconv/"
  [ -d "$gconv/gconv-modules.d" ] && cp -r "$gconv/gconv-modules.d" "$r$gconv/"
  for m in IBM850 IBM437; do [ -f "$gconv/$m.so" ] && cp "$gconv/$m.so" "$r$gconv/"; done
fi

# -- busybox: every applet the host programs above do not provide ------------------
cp "$busybox" "$r/usr/bin/busybox"
for a in $("$busybox" --list); do
  case "$a" in busybox) continue ;; esac
  [ -e "$r/usr/bin/$a" ] || [ -e "$r/usr/sbin/$a" ] || [ -L "$r/usr/sbin/$a" ] || ln -s busybox "$r/usr/bin/$a"
done
# init and the module tools are looked for in /sbin
for a in init modprobe insmod rmmod lsmod depmod reboot poweroff halt; do
  rm -f "$r/usr/bin/$a"; ln -sf ../bin/busybox "$r/usr/sbin/$a"
done
echo "busybox: $("$busybox" 2>&1 | head -n1)" >> "$manifest"
if [ -n "$BUSYBOX_ONLY" ]; then
  [ "$(readlink "$r/usr/bin/sh")" = busybox ] || die "/bin/sh in the image is not busybox"
  echo "userland: busybox only (sh, mount, tar, gzip, modprobe… are busybox applets)" >> "$manifest"
fi

# -- kernel modules: the closure over modinfo depends= -------------------------------
declare -A modpath=()
while IFS= read -r f; do
  n=$(basename "$f" .ko); n=${n//-/_}
  modpath[$n]=$f
done < <(cd "$kmods" && find kernel -name '*.ko')
[ ${#modpath[@]} -gt 0 ] || die "no .ko files under $kmods (compressed modules are not supported)"
declare -A want=()
builtin_mod() { grep -q "/${1}.ko\$" <(sed 's/-/_/g' "$kmods/modules.builtin" 2>/dev/null); }
add_module() {
  local n=${1//-/_} dep deps
  [ -n "${want[$n]:-}" ] && return 0
  if [ -z "${modpath[$n]:-}" ]; then
    want[$n]=-
    if builtin_mod "$n"; then echo "module $n: built into the kernel" >> "$manifest"; return 0; fi
    echo "module $n: no such module file (an alias, built in, or absent), left out" >> "$manifest"; return 0
  fi
  want[$n]=${modpath[$n]}
  deps=$(grep -a -o 'depends=[^[:cntrl:]]*' "$kmods/${modpath[$n]}" | head -n1 | sed 's/^depends=//')
  for dep in ${deps//,/ }; do add_module "$dep"; done
  # softdeps (ext4 → crc32c, …)
  # shellcheck disable=SC2013 # softdep lists are words, several per line
  for dep in $(grep -a -o 'softdep=[^[:cntrl:]]*' "$kmods/${modpath[$n]}" | sed 's/^softdep=//; s/pre://g; s/post://g'); do
    add_module "$dep"
  done
}
for m in "${boot_modules[@]}" "${extra_modules[@]}"; do add_module "$m"; done
mdir=$r/lib/modules/$kver
for n in "${!want[@]}"; do
  [ "${want[$n]}" = - ] && continue
  mkdir -p "$mdir/$(dirname "${want[$n]}")"
  cp "$kmods/${want[$n]}" "$mdir/${want[$n]}"
  echo "module $n: ${want[$n]}" >> "$manifest"
done
cp "$kmods/modules.builtin" "$kmods/modules.order" "$mdir/" 2>/dev/null || true
[ -f "$kmods/modules.builtin.modinfo" ] && cp "$kmods/modules.builtin.modinfo" "$mdir/"
"$busybox" depmod -b "$r" "$kver"
[ -s "$mdir/modules.dep" ] || die "depmod wrote no modules.dep"
# check: every dependency named in modules.dep is shipped
while IFS= read -r line; do
  for f in ${line#*:}; do [ -f "$mdir/$f" ] || [ -f "$f" ] || die "modules.dep names missing $f"; done
done < "$mdir/modules.dep"

# -- configuration -----------------------------------------------------------------
cat > "$r/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
sshd:x:100:65534:sshd privilege separation:/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
P
cat > "$r/etc/group" <<'G'
root:x:0:
tty:x:5:
disk:x:6:
nogroup:x:65534:
G
# "*": no password, but not locked (sshd refuses public keys for locked accounts).
cat > "$r/etc/shadow" <<'S'
root:*:19000:0:99999:7:::
sshd:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
S
chmod 600 "$r/etc/shadow"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' > "$r/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n127.0.1.1 rescue\n' > "$r/etc/hosts"
echo rescue > "$r/etc/hostname"
echo /bin/sh > "$r/etc/shells"
printf 'PRETTY_NAME="nixos-via rescue system"\nNAME="nixos-via-rescue"\nID=nixos-via-rescue\n' > "$r/etc/os-release"
: > "$r/etc/fstab"
if [ ${#lvm_programs[@]} -gt 0 ]; then
  # No udev here: the example system's lvm.conf for that makes LVM scan /dev and create
  # /dev/VG/LV itself.
  mkdir -p "$r/etc/lvm"
  cp "$repo/examples/mini-system/lvm.conf" "$r/etc/lvm/lvm.conf"
fi

cat > "$r/etc/profile" <<'PR'
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PS1='rescue# '
PR
cat > "$r/etc/ssh/sshd_config" <<'C'
# nixos-via rescue system
Port 22
ListenAddress 0.0.0.0
ListenAddress ::
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
StrictModes no
PrintMotd no
PrintLastLog no
PidFile /run/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
SetEnv PATH=/usr/sbin:/usr/bin:/sbin:/bin
Subsystem sftp internal-sftp
Include /run/sshd_hostkeys.conf
C
if [ -n "$HOST_KEY_DIR" ]; then
  for k in "$HOST_KEY_DIR"/ssh_host_*_key; do
    install -m 600 "$k" "$r/etc/ssh/"
    [ -f "$k.pub" ] && install -m 644 "$k.pub" "$r/etc/ssh/"
    echo "host key: $(basename "$k") $(ssh-keygen -l -f "$k" 2>/dev/null | awk '{print $2}')" >> "$manifest"
  done
fi
if [ -n "$AUTHORIZED_KEYS" ]; then
  install -m 600 "$AUTHORIZED_KEYS" "$r/root/.ssh/authorized_keys"
  echo "authorized_keys: $(grep -c . "$AUTHORIZED_KEYS") key(s)" >> "$manifest"
fi

cat > "$r/etc/udhcpc.script" <<'U'
#!/bin/sh
# udhcpc hook for rescue.ip=dhcp
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for g in $router; do ip route add default via "$g" dev "$interface"; break; done
    : > /run/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /run/resolv.conf; done ;;
esac
U
chmod 755 "$r/etc/udhcpc.script"

cat > "$r/etc/inittab" <<'I'
# busybox init: PID 1 after /init did the setup. It reaps orphans and turns
# reboot/poweroff/halt (SIGTERM/SIGUSR2/SIGUSR1 to PID 1) into a clean shutdown.
::respawn:/usr/bin/cttyhack /bin/sh -l
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/rescue-shutdown
I
cat > "$r/etc/rescue-shutdown" <<'SD'
#!/bin/sh
# Run by busybox init before it kills everything and reboots.
echo "nixos-via-rescue: going down"
sync
# unmount what an install left mounted (deepest first), then the rest read-only
awk '$2 ~ "^/mnt" { print $2 }' /proc/mounts | sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
sync
SD
chmod 755 "$r/etc/rescue-shutdown"

sed -e "s|@kver@|$kver|g" -e "s|@modules@|${boot_modules[*]}|g" "$here/init.sh" > "$r/init"
chmod 755 "$r/init"

# -- pack --------------------------------------------------------------------------
mkdir -p "$out"
(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -6 -n) > "$out/initramfs.gz.tmp"
mv "$out/initramfs.gz.tmp" "$out/initramfs.gz"
cp "$vmlinuz" "$out/vmlinuz"
{ echo "kernel: $kver"; sort "$manifest"; } > "$out/manifest.txt"
echo "build-initramfs: $out/initramfs.gz ($(du -k "$out/initramfs.gz" | cut -f1) KiB, $(du -sk "$r" | cut -f1) KiB unpacked), $out/vmlinuz ($kver)"
