set -u
# Runs a system root as a container with plain namespaces (util-linux unshare/nsenter, ip):
# no systemd, no Nix needed on this machine. Usage:
#   start ROOT NET [ADDRESS HOST_ADDRESS]
#                                       boot the profile's init as PID 1 (own PID, mount, UTS,
#                                       IPC namespaces; NET=private: also its own network
#                                       namespace, NET=host: this machine's network; with
#                                       ADDRESS a veth pair: host0 inside, ve-PID outside)
#   stop ROOT TIMEOUT                   SIGTERM to its init, SIGKILL after TIMEOUT seconds
#   status ROOT LINES                   key=value lines, then the console's last LINES lines
#   logs ROOT LINES FOLLOW              the console (FOLLOW=1: until the container stops)
#   pid ROOT                            "PID TOPLEVEL" of the init on this machine, if it runs
# State lives beside the root, out of the container's reach: ROOT's parent holds
# .NAME.container/ with pid ("PID STARTTIME"), toplevel, net ("IF ADDRESS HOST_ADDRESS"),
# network, console.log (and the previous run's console.log.1), exit, stopped, init.sh, run.sh.
cmd=$1 root=$2
shift 2
say() { printf 'nixos-via-container: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
[ -d "$root" ] || die "$root is not a directory"
root=$(cd "$root" && pwd -P) || die "cannot enter $root"
[ "$root" != / ] || die "this machine's own root cannot run as a container"
state="${root%/*}/.${root##*/}.container"

starttime() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
# True when the recorded init still runs (same PID, same start time: not a reused PID).
running() {
  pid='' start=''
  [ -s "$state/pid" ] || return 1
  read -r pid start < "$state/pid" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && [ "$(starttime "$pid")" = "$start" ]
}
state_word() {
  if running; then echo running
  elif [ -e "$state/stopped" ]; then echo stopped
  elif [ -e "$state/exit" ]; then echo exited
  elif [ -e "$state/pid" ]; then echo exited
  else echo absent
  fi
}
# Follows a symlink chain inside the root (absolute targets are the root's own paths).
resolve() {
  p=$1 i=0
  while [ -L "$root$p" ] && [ "$i" -lt 40 ]; do
    t=$(readlink "$root$p")
    case $t in /*) p=$t ;; *) p=${p%/*}/$t ;; esac
    i=$((i + 1))
  done
  printf '%s\n' "$p"
}

# PID 1 of the new namespaces, still seeing this machine's /proc: records its PID, builds
# the container's /dev, /proc, /sys, /run, pivots into the root and becomes its init.
# shellcheck disable=SC2016 # expanded by the inner sh, on its own arguments
INIT='set -eu
root=$1 state=$2 toplevel=$3 net=$4
read -r hostpid _ < /proc/self/stat
echo "$hostpid $(sed "s/^.*) //" "/proc/$hostpid/stat" | cut -d" " -f20)" > "$state/pid.tmp"
mv "$state/pid.tmp" "$state/pid"
mount --bind "$root" "$root"
cd "$root"
mkdir -p proc sys dev run tmp
mount -t proc -o nosuid,nodev,noexec proc proc
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs sys
mount -t tmpfs -o mode=0755,nosuid tmpfs dev
for n in null zero full random urandom tty; do : > "dev/$n"; mount --bind "/dev/$n" "dev/$n"; done
mkdir -p dev/pts dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts dev/pts
ln -s pts/ptmx dev/ptmx
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs dev/shm
ln -s /proc/self/fd dev/fd
ln -s /proc/self/fd/0 dev/stdin
ln -s /proc/self/fd/1 dev/stdout
ln -s /proc/self/fd/2 dev/stderr
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs run
mkdir -p run/host run/nixos-via-oldroot
echo nixos-via > run/host/container-manager
if [ "$net" = --net ]; then : > run/host/private-network; fi
pivot_root . run/nixos-via-oldroot
cd /
"$toplevel/sw/bin/umount" -l /run/nixos-via-oldroot
"$toplevel/sw/bin/rmdir" /run/nixos-via-oldroot
exec "$toplevel/sw/bin/env" -i container=nixos-via "$toplevel/init" </dev/null
'
# Stays on this machine, in its own session: runs unshare, which waits for the init, then
# records how the init ended.
# shellcheck disable=SC2016 # expanded by the inner sh, on its own arguments
RUN='root=$1 state=$2 toplevel=$3 net=$4
if [ "$net" = --net ]; then set -- --net; else set --; fi
unshare --pid --mount --uts --ipc "$@" --fork --propagation private -- sh "$state/init.sh" "$root" "$state" "$toplevel" "$net"
code=$?
echo "$code" > "$state/exit.tmp" && mv "$state/exit.tmp" "$state/exit"
echo "nixos-via-container: init exited with status $code"
'

case $cmd in
start)
  net=${1:-host} address=${2:-} host_address=${3:-}
  case $net in private) net=--net ;; host) net=- ;; *) die "NET is private or host, not $net" ;; esac
  [ -z "$address" ] || [ "$net" = --net ] || die "an address needs the container's own network (NET=private)"
  if running; then die "$root already runs as a container (PID $pid); stop it first"; fi
  for tool in unshare nsenter setsid mount pivot_root; do
    command -v "$tool" >/dev/null 2>&1 || die "this machine has no $tool (util-linux): it cannot run containers"
  done
  if [ -n "$address" ]; then command -v ip >/dev/null 2>&1 || die "this machine has no ip (iproute2): it cannot give the container a network"; fi
  toplevel=$(resolve /nix/var/nix/profiles/system)
  [ -x "$root$toplevel/init" ] || die "$root holds no system to boot (no nix/var/nix/profiles/system/init); install or deploy one first"
  mkdir -p -m 0700 "$state"
  rm -f "$state/pid" "$state/exit" "$state/stopped" "$state/net"
  [ ! -e "$state/console.log" ] || mv -f "$state/console.log" "$state/console.log.1"
  : > "$state/console.log"
  printf '%s\n' "$toplevel" > "$state/toplevel"
  if [ "$net" = --net ]; then echo private; else echo host; fi > "$state/network"
  # The scripts sit in the state folder so that process lists show short command lines.
  printf '%s' "$INIT" > "$state/init.sh"
  printf '%s' "$RUN" > "$state/run.sh"
  setsid sh "$state/run.sh" "$root" "$state" "$toplevel" "$net" </dev/null >>"$state/console.log" 2>&1 &
  i=0
  while ! running && [ ! -e "$state/exit" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  running || { tail -n 20 "$state/console.log" >&2; die "the container did not start"; }
  if [ -n "$address" ]; then
    host_if="ve-$pid"
    if ! { ip link add "$host_if" type veth peer name host0 netns "$pid" &&
      ip addr add "$host_address" dev "$host_if" && ip link set "$host_if" up &&
      nsenter -t "$pid" -n ip addr add "$address" dev host0 &&
      nsenter -t "$pid" -n ip link set host0 up &&
      nsenter -t "$pid" -n ip route add default via "${host_address%/*}"; }; then
      kill -KILL "$pid" 2>/dev/null
      die "could not set up the veth pair $host_if (host $host_address) / host0 ($address)"
    fi
    printf '%s %s %s\n' "$host_if" "$address" "$host_address" > "$state/net"
  fi
  echo "pid=$pid"
  echo "toplevel=$toplevel"
  echo "state=$state"
  ;;
stop)
  timeout=${1:-10}
  if ! running; then
    echo "state=$(state_word)"
    exit 0
  fi
  : > "$state/stopped"
  mntns=$(readlink "/proc/$pid/ns/mnt")
  kill -TERM "$pid" 2>/dev/null
  i=0
  while running && [ "$i" -lt $((timeout * 10)) ]; do sleep 0.1; i=$((i + 1)); done
  if running; then
    say "its init did not stop within ${timeout}s: killing the container"
    kill -KILL "$pid" 2>/dev/null
  fi
  # The namespaces, their mounts and the veth pair go with the last process; the
  # wrapper writes exit once unshare has collected the init.
  i=0
  while [ ! -e "$state/exit" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
  # Commands entered from outside (nsenter) sit in its mount namespace but in this
  # machine's PID namespace, so the kernel does not end them with the init: they would
  # keep the namespaces alive.
  for entered in /proc/[0-9]*; do
    [ "$(readlink "$entered/ns/mnt" 2>/dev/null)" = "$mntns" ] && kill -KILL "${entered#/proc/}" 2>/dev/null
  done
  echo "state=stopped"
  ;;
status)
  lines=${1:-10}
  word=$(state_word)
  echo "state=$word"
  echo "root=$root"
  echo "statedir=$state"
  if running; then
    echo "pid=$pid"
    # What it runs now: a deploy switches it without a restart.
    current=$(nsenter -t "$pid" -m /run/current-system/sw/bin/readlink /run/current-system 2>/dev/null) || current=
    [ -z "$current" ] || echo "current=$current"
  fi
  [ ! -s "$state/toplevel" ] || echo "toplevel=$(cat "$state/toplevel")"
  [ ! -s "$state/exit" ] || echo "exit=$(cat "$state/exit")"
  [ ! -s "$state/network" ] || echo "network=$(cat "$state/network")"
  if [ -s "$state/net" ]; then
    read -r host_if address host_address < "$state/net"
    echo "interface=$host_if"
    echo "address=$address"
    echo "hostaddress=$host_address"
  fi
  echo "console:"
  [ ! -e "$state/console.log" ] || tail -n "$lines" "$state/console.log"
  ;;
logs)
  lines=${1:-all} follow=${2:-0}
  [ -e "$state/console.log" ] || die "$root never ran as a container (no $state/console.log)"
  if [ "$lines" = all ]; then offset=0; cat "$state/console.log"
  else tail -n "$lines" "$state/console.log"
  fi
  offset=$(wc -c < "$state/console.log")
  [ "$follow" = 1 ] || exit 0
  while :; do
    size=$(wc -c < "$state/console.log")
    if [ "$size" -gt "$offset" ]; then
      tail -c +$((offset + 1)) "$state/console.log" | head -c $((size - offset))
      offset=$size
    fi
    running || [ "$size" -lt "$(wc -c < "$state/console.log")" ] || exit 0
    sleep 0.2
  done
  ;;
pid)
  running || die "$root does not run as a container"
  echo "$pid $(cat "$state/toplevel")"
  ;;
*)
  die "unknown command $cmd: use start, stop, status, logs or pid"
  ;;
esac
