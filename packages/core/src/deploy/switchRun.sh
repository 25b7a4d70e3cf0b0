set -u
dir=$1 action=$2 toplevel=$3 previous=$4 previous_link=$5 verdict=$6 timeout=$7 profile=$8
say() { printf 'nixos-via-switch: %s\n' "$*"; }
echo $$ > "$dir/pid"
say "switch-to-configuration $action of $toplevel"
"$toplevel/bin/switch-to-configuration" "$action"
status=$?
echo "$status" > "$dir/status.tmp" && mv "$dir/status.tmp" "$dir/status"
# Sets outcome to what the way back really did: a rollback whose own switch fails, or
# that has nothing to return to, is not a rollback.
rollback() {
  if [ "$action" = dry-activate ]; then
    say "dry-activate changed nothing: no rollback ($1)"
    outcome="unchanged $1"
    return
  fi
  if [ -z "$previous" ]; then
    say "cannot roll back ($1): there is no previous generation"
    outcome="no-previous-generation $1"
    return
  fi
  say "rolling back to $previous ($1)"
  back_status=0
  if [ -n "$previous_link" ]; then ln -sfn "$previous_link" "$profile" || back_status=$?; fi
  case "$action" in test) back='test' ;; boot) back='boot' ;; *) back='switch' ;; esac
  "$previous/bin/switch-to-configuration" "$back" || back_status=$?
  if [ "$back_status" -eq 0 ]; then
    outcome="rolled-back $1"
  else
    say "rolling back failed with exit code $back_status"
    outcome="rollback-failed $back_status $1"
  fi
}
if [ "$status" -ne 0 ]; then
  say "switch-to-configuration $action failed with exit code $status"
  rollback "switch-to-configuration $action failed with exit code $status"
elif [ "$verdict" = 1 ]; then
  say "waiting up to ${timeout}s for confirmation over a new connection"
  waited=0
  while [ ! -e "$dir/confirmed" ] && [ ! -e "$dir/rollback" ] && [ "$waited" -lt "$timeout" ]; do
    sleep 1
    waited=$((waited + 1))
  done
  if [ -e "$dir/confirmed" ]; then
    say "confirmed"
    outcome=confirmed
  else
    if [ -e "$dir/rollback" ]; then reason=$(cat "$dir/rollback"); else reason="no confirmation within ${timeout}s"; fi
    rollback "$reason"
  fi
else
  outcome='done'
fi
printf '%s\n' "$outcome" > "$dir/outcome.tmp" && mv "$dir/outcome.tmp" "$dir/outcome"
