# The kexec probe: can this machine boot another kernel with kexec, and with what RAM?
# Prints key=value lines; changes nothing.
echo "machine=$(uname -m)"
echo "kernel=$(uname -r)"
echo "uid=$(id -u)"
awk '/^MemTotal:/ { print "mem_total_kib=" $2 } /^MemAvailable:/ { print "mem_available_kib=" $2 }' /proc/meminfo
# tmpfs for the upload: /run (or /dev/shm), and what it can take.
for d in /run /dev/shm /tmp; do
  if [ -d "$d" ] && [ -w "$d" ]; then echo "upload_dir=$d"; break; fi
done
# An earlier run ran kexec -e less than a minute ago and the switch has not happened yet
# (the mark of kexecExec.sh, holding the time it was made).
for d in /run /dev/shm /tmp; do
  if [ -r "$d/nixos-via-kexec/switching" ]; then
    made=$(cat "$d/nixos-via-kexec/switching" 2>/dev/null)
    case $made in ''|*[!0-9]*) made=0 ;; esac
    since=$(( $(date +%s) - made ))
    [ "$since" -ge 0 ] && [ "$since" -lt 60 ] && echo "kexec_switching=1"
  fi
done
[ -r /proc/sys/kernel/kexec_load_disabled ] && echo "kexec_load_disabled=$(cat /proc/sys/kernel/kexec_load_disabled)"
[ -e /sys/kernel/kexec_loaded ] && echo "kexec_support=1"
[ -r /sys/kernel/security/lockdown ] && echo "lockdown=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/security/lockdown)"
for f in /sys/firmware/efi/efivars/SecureBoot-*; do
  # 4 bytes of attributes, then the value byte.
  [ -r "$f" ] && echo "secure_boot=$(od -An -t u1 -j 4 -N 1 "$f" | tr -d ' ')"
done
# A Xen PV guest cannot kexec (an HVM guest can).
if [ "$(cat /sys/hypervisor/type 2>/dev/null)" = xen ] && [ "$(cat /sys/hypervisor/guest_type 2>/dev/null || echo PV)" = PV ]; then
  echo "xen_pv=1"
fi
command -v tar >/dev/null 2>&1 && echo "tar=1"
# An earlier run already switched to the nixos-via installer: it carries this marker, the
# closure's store paths it holds in RAM (INSTALLER_MARKER in planKexecInstall.ts).
[ -f /etc/nixos-via-installer-paths ] && echo "installer_paths=$(tr '\n' ' ' < /etc/nixos-via-installer-paths)"
container=
if [ -e /.dockerenv ]; then container=docker
elif [ -e /run/.containerenv ]; then container=podman
elif [ -r /proc/1/environ ] && tr '\0' '\n' < /proc/1/environ 2>/dev/null | grep -q '^container='; then
  container=$(tr '\0' '\n' < /proc/1/environ | sed -n 's/^container=//p' | head -n1)
elif grep -qa -e '/lxc/' -e '/docker/' /proc/1/cgroup 2>/dev/null; then container=lxc
fi
[ -n "$container" ] && echo "container=$container"
exit 0
