# kexec_exec DIR: boots the loaded installer once this command has returned (the
# connection must not hang). The running system stops without a shutdown: its disks are
# about to be replaced. sync first.
sync
# shellcheck disable=SC2016 # expanded by the inner shell
"$1/busybox" setsid sh -c 'sleep 2; sync; "$0/kexec/ld-linux-x86-64.so.2" --library-path "$0/kexec" "$0/kexec/kexec" -e' "$1" >/dev/null 2>&1 </dev/null &
echo "nixos-via-kexec: switching to the installer in 2 s"
