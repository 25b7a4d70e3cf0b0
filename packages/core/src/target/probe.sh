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
# What runs now, which the profile need not say: a rerun cut after the profile step finds
# the profile already on the new system, and a failed switch must go back to this one.
if [ -L "$root/run/current-system" ]; then printf 'running=%s\n' "$(readlink "$root/run/current-system")"; fi
for mark in "$root/nix/store/.nixos-via-incoming/.done"/*; do
  if [ -e "$mark" ] && staged_ok "$root/nix/store/.nixos-via-incoming" "${mark##*/}"; then printf 'staged=%s\n' "${mark##*/}"; fi
done
if command -v zstd >/dev/null 2>&1; then
  zstd -V 2>/dev/null | sed -n 's/.* v\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/zstd_version=\1/p'
fi
if tar --version 2>/dev/null | grep -q 'GNU tar'; then echo 'gnu_tar=yes'; fi
sed -n 's/^MemAvailable: *\([0-9][0-9]*\) kB$/mem_available_kib=\1/p' /proc/meminfo 2>/dev/null
# What the kernel mounts matters only to a disk layout; ~30 forks, skipped without one.
if [ "${NIXOS_VIA_PROBE_KERNEL:-}" != skip ]; then kernel_capabilities /proc /sys "/lib/modules/$(uname -r)"; fi
if [ ! -e "$root/nix/var/nix/db/db.sqlite" ]; then echo 'db=absent'; exit 0; fi
echo 'db=present'
paths=$(cat)
# Predecessors for deltas: store entries outside the closure with the name (without hash)
# or the package name (before the first "-digit", as parseDrvName) of a closure path.
candidates=$({ printf '%s\n' "$paths"; echo --; ls "$root/nix/store" 2>/dev/null; } | awk '
  function pname(n) { return match(n, /-[0-9]/) ? substr(n, 1, RSTART - 1) : n }
  !listing && $0 == "--" { listing = 1; next }
  !listing { b = $0; sub(/.*\//, "", b); own[b] = 1; n = substr(b, 34); names[n] = 1; pnames[pname(n)] = 1; next }
  length($0) > 33 && substr($0, 33, 1) == "-" && !($0 in own) && $0 !~ /\.(drv|lock|chroot)$/ {
    n = substr($0, 34); if ((n in names) || (pname(n) in pnames)) print "/nix/store/" $0
  }')
# Printed before Nix starts (~30-80 ms here): the caller reads its own copies of these
# while the target checks which of them, and of the closure, are valid.
printf '%s\n' "$candidates" | grep '^/' | sed 's/^/candidate=/'
echo 'candidates=end'
select_nix_store "$root" || exit 0
invalid=$(printf '%s\n' "$paths" "$candidates" | grep '^/' | nix_store_xargs --check-validity --print-invalid) || { echo 'error=nix-store could not read the target database'; exit 0; }
printf '%s\n' "$invalid" | grep '^/' | sed 's/^/invalid=/'
