set -u
# nsenter ARGS… in a process group of its own, so that stopping this script (SIGTERM,
# SIGINT, SIGHUP: an aborted command) also stops the command inside the container:
# nsenter forks to enter the PID namespace, and its parent dies of a signal alone,
# leaving the child running and holding the output open (util-linux forwards none).
# A background job's stdin is /dev/null unless redirected, so it is handed over as fd 3.
exec 3<&0
setsid -w nsenter "$@" <&3 3<&- &
child=$!
exec 3<&-
trap 'kill -TERM "-$child" 2>/dev/null' TERM INT HUP
while :; do
  wait "$child"
  status=$?
  # A trapped signal ends the wait early; waiting again collects how the child ended.
  kill -0 "$child" 2>/dev/null || break
done
exit "$status"
