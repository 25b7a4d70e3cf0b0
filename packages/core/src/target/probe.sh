set -u
root=$1
shift
profiles="$root/nix/var/nix/profiles"
printf 'machine=%s\n' "$(uname -m)"
printf 'kernel=%s\n' "$(uname -r)"
for tool in "$@"; do
  if command -v "$tool" >/dev/null 2>&1; then printf 'tool=%s\n' "$tool"; fi
done
for link in "$profiles"/system-*-link; do
  if [ -L "$link" ]; then printf 'generation=%s %s\n' "${link##*/}" "$(readlink "$link")"; fi
done
if [ -L "$profiles/system" ]; then printf 'profile=%s\n' "$(readlink "$profiles/system")"; fi
for mark in "$root/nix/store/.nixos-via-incoming/.done"/*; do
  if [ -e "$mark" ] && staged_ok "$root/nix/store/.nixos-via-incoming" "${mark##*/}"; then printf 'staged=%s\n' "${mark##*/}"; fi
done
kernel_capabilities /proc /sys "/lib/modules/$(uname -r)"
if [ ! -e "$root/nix/var/nix/db/db.sqlite" ]; then echo 'db=absent'; exit 0; fi
echo 'db=present'
select_nix_store "$root" || exit 0
invalid=$(nix_store_xargs --check-validity --print-invalid) || { echo 'error=nix-store could not read the target database'; exit 0; }
printf '%s\n' "$invalid" | grep '^/' | sed 's/^/invalid=/'
