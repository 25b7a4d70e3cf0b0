root=$1
if ! grep -q " $root" /proc/self/mounts; then exit 0; fi
sync
umount -R "$root" 2>/dev/null || umount -R -l "$root"
