#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for nixos-via: Debian packages, Debian's kernel for
# the example system (unpacked only, not installed), npm packages, and the build.
# Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  nix-bin              # the local store: reads, builds and exports systems
  busybox-static       # the example system's userland
  openssh-server openssh-client  # the example system's sshd; ssh:// tests
  qemu-system-x86 ovmf # boots installed systems in tests (software emulation)
  systemd-boot-efi     # the example system's UEFI bootloader
  extlinux syslinux-common  # the example system's BIOS bootloader
  gdisk fdisk parted dosfstools mtools e2fsprogs  # disk layouts
  cryptsetup-bin btrfs-progs lvm2 xfsprogs  # LUKS, btrfs, LVM and xfs in the rescue system and the example system's initrd of e2e tests
  util-linux zstd xz-utils cpio dash
  shellcheck           # the test command lints every shell script
  sudo                 # tests: an SSH login that needs sudo
  chromium             # the test command renders every page of the docs site headless
)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's kernel for the example system: unpacked into .cache, never installed on this
# machine (installing it would run a slow initramfs build for nothing).
kernel_dir=.cache/debian-kernel
if ! ls "$kernel_dir"/boot/vmlinuz-* >/dev/null 2>&1; then
  echo "setup: fetching Debian's kernel into $kernel_dir"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  image=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1)
  if [ -z "$image" ]; then as_root apt-get update -qq; image=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n1); fi
  (cd "$work" && apt-get download -q "$image" 2>/dev/null)
  mkdir -p "$work/x"
  dpkg -x "$work"/*.deb "$work/x"
  rm -rf "$kernel_dir.tmp"
  mkdir -p .cache
  mv "$work/x" "$kernel_dir.tmp"
  mv "$kernel_dir.tmp" "$kernel_dir"
fi

# mdadm for the rescue system: unpacked only, since its package pulls in udev, which
# would change how this machine's loop devices and partitions appear.
if [ ! -x .cache/mdadm/sbin/mdadm ] && ! command -v mdadm >/dev/null 2>&1; then
  echo "setup: fetching mdadm into .cache/mdadm"
  work=$(mktemp -d)
  (cd "$work" && apt-get download -q mdadm 2>/dev/null)
  rm -rf .cache/mdadm.tmp
  mkdir -p .cache/mdadm.tmp
  dpkg -x "$work"/mdadm_*.deb .cache/mdadm.tmp
  rm -rf "$work"
  mv .cache/mdadm.tmp .cache/mdadm
fi

# Debian's kexec binary for kexec installs (docs/kexec.md): unpacked only, with the Xen
# libraries it links (it calls them only under Xen), never installed, so this machine's own
# shutdown is not changed. The installer runs it on the target through a store ld.so.
if [ ! -x .cache/kexec-tools/sbin/kexec ] || [ ! -e .cache/kexec-tools/usr/lib/x86_64-linux-gnu/libxenctrl.so.4.17 ]; then
  echo "setup: fetching kexec-tools into .cache/kexec-tools"
  work=$(mktemp -d)
  (cd "$work" && apt-get download -q kexec-tools libxenmisc4.17 libxencall1 libxendevicemodel1 libxenevtchn1 \
    libxenforeignmemory1 libxengnttab1 libxentoollog1 libxentoolcore1 2>/dev/null)
  rm -rf .cache/kexec-tools.tmp
  mkdir -p .cache/kexec-tools.tmp
  for deb in "$work"/*.deb; do dpkg -x "$deb" .cache/kexec-tools.tmp; done
  rm -rf "$work"
  rm -rf .cache/kexec-tools && mv .cache/kexec-tools.tmp .cache/kexec-tools
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: building"
npm run build --silent >/dev/null
