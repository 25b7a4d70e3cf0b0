# network_identity IP SYS: the machine's addresses and routes as they are now (static or
# from DHCP), for the installer, one a line, by interface MAC address (the installer's
# kernel names interfaces itself):
#   addr MAC CIDR                    (IPv4 and IPv6, global scope)
#   route MAC -4|-6 DEST [via GW]
# IP runs `ip` (iproute2's, or busybox's), SYS is /sys. Left out: routes the kernel makes
# itself (proto kernel: an address's prefix; link-local fe80::/64) or learns from router
# advertisements (proto ra: the installer's kernel learns them again), and local,
# broadcast, multicast ones. Busybox's ip prints no proto: its kernel routes come along,
# and the installer's `ip route replace` takes them as they already are.
network_identity() {
  _ni_ip=$1
  _ni_sys=$2
  _ni_mac() { cat "$_ni_sys/class/net/$1/address" 2>/dev/null; }
  $_ni_ip -o addr show scope global | while read -r _ dev family cidr _; do
    case "$family" in inet|inet6) ;; *) continue ;; esac
    mac=$(_ni_mac "$dev") && [ -n "$mac" ] && echo "addr $mac $cidr"
  done
  for family in -4 -6; do
    $_ni_ip "$family" route show | awk '!/ proto (kernel|ra)( |$)/ && !/^(unreachable|prohibit|blackhole|local|broadcast|multicast|anycast|fe80:)/ {
      dest = $1; via = ""; dev = ""
      for (i = 2; i < NF; i++) { if ($i == "via") via = $(i + 1); if ($i == "dev") dev = $(i + 1) }
      if (dev != "") print dev, dest, via
    }' | while read -r dev dest via; do
      mac=$(_ni_mac "$dev") && [ -n "$mac" ] && echo "route $mac $family $dest${via:+ via $via}"
    done
  done
}
