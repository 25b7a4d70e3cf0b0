# kexec_load DIR: carries the machine's identity into the installer uploaded to DIR, then
# loads it with kexec --load. Nothing on the machine changes: a failed load leaves it
# running as before, and the loaded kernel only runs at kexec -e. networkIdentity.sh is
# prepended (network_identity).
set -eu
dir=$1
bb="$dir/busybox"
work="$dir/identity"
id="$work/nixos-via-identity"
rm -rf "$work"
mkdir -p -m 0700 "$work" "$id" "$id/ssh"
# SSH host keys, and the keys that may log in as root (through sudo: the user's too).
for k in /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub; do
  [ -e "$k" ] && cp "$k" "$id/ssh/"
done
: > "$id/authorized_keys"
for f in /root/.ssh/authorized_keys /root/.ssh/authorized_keys2 /etc/ssh/authorized_keys.d/root ${SUDO_USER:+"$(eval echo "~$SUDO_USER")/.ssh/authorized_keys"}; do
  if [ -f "$f" ]; then cat "$f" >> "$id/authorized_keys"; fi
done
# DNS: systemd-resolved's stub (127.0.0.53) does not exist in the installer; its upstream list does.
if [ -f /run/systemd/resolve/resolv.conf ]; then cp /run/systemd/resolve/resolv.conf "$id/resolv.conf"
elif [ -e /etc/resolv.conf ]; then cat /etc/resolv.conf > "$id/resolv.conf"
fi
# Addresses and routes as they are now, by MAC address (networkIdentity.sh, prepended).
# iproute2's ip says which routes the kernel made; busybox's does not.
if ip -V 2>/dev/null | grep -q iproute2; then ipc=ip; else ipc="$bb ip"; fi
network_identity "$ipc" /sys > "$id/network"
sed 's/^/nixos-via-kexec: network: /' "$id/network"
# Appended to the installer's initrd as a second archive (the kernel unpacks both); the
# first must end on a 4-byte boundary for the kernel to find the next header.
cp "$dir/initrd" "$work/initrd"
size=$(wc -c < "$work/initrd")
pad=$(( (4 - size % 4) % 4 ))
[ "$pad" -eq 0 ] || dd if=/dev/zero bs=1 count="$pad" status=none >> "$work/initrd"
(cd "$work" && find nixos-via-identity | "$bb" cpio -o -H newc 2>/dev/null) >> "$work/initrd"
rm -f "$dir/initrd"
rm -rf "$id"
kexec() { "$dir/kexec/ld-linux-x86-64.so.2" --library-path "$dir/kexec" "$dir/kexec/kexec" "$@"; }
if ! kexec --load "$dir/kernel" --initrd="$work/initrd" --command-line="$(cat "$dir/cmdline") nixos_via.installer=1"; then
  echo "nixos-via-kexec: kexec --load failed; the machine keeps running its own system, unchanged" >&2
  exit 1
fi
# The loaded image now lives in kernel memory: the upload's RAM goes back.
rm -f "$work/initrd" "$dir/kernel"
if [ "$(cat /sys/kernel/kexec_loaded 2>/dev/null)" != 1 ]; then
  echo "nixos-via-kexec: kexec --load returned, but /sys/kernel/kexec_loaded is not 1" >&2
  exit 1
fi
echo "nixos-via-kexec: loaded"
