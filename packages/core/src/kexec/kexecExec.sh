# kexec_exec DIR: boots the loaded installer once this command has returned (the
# connection must not hang). The running system stops without a shutdown: its disks are
# about to be replaced. sync first.
sync
# A rerun that probes the machine before the switch has happened finds this mark (the time
# it was made; kexecProbe.sh) and is told to wait, instead of starting a second takeover.
# If kexec -e returns, it failed: the mark goes.
date +%s > "$1/switching"
# shellcheck disable=SC2016 # expanded by the inner shell
"$1/busybox" setsid sh -c 'sleep 2; sync; "$0/kexec/ld-linux-x86-64.so.2" --library-path "$0/kexec" "$0/kexec/kexec" -e; rm -f "$0/switching"' "$1" >/dev/null 2>&1 </dev/null &
echo "nixos-via-kexec: switching to the installer in 2 s"
