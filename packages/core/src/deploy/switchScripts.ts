/**
 * The switch, detached from the connection that starts it: `switch-to-configuration`
 * runs in its own session (systemd-run where systemd runs, setsid otherwise), writing
 * its output to `DIR/log`, its exit status to `DIR/status`, and how it all ended to
 * `DIR/outcome`. With `verdict` = 1 it then waits up to `timeout` seconds for `DIR/confirmed`
 * (the deployer reached the new system over a new connection and its health checks
 * passed) and rolls back by itself when it is not there, or when `DIR/rollback` says so.
 * A failed switch rolls back too.
 *
 * `outcome` is one line, its first word the kind: `done`, `confirmed`,
 * `rolled-back REASON`, `unchanged REASON` (dry-activate: nothing to undo),
 * `rollback-failed CODE REASON` (the way back exited CODE) or
 * `no-previous-generation REASON`.
 *
 * Arguments: DIR ACTION TOPLEVEL PREVIOUS_TOPLEVEL PREVIOUS_LINK VERDICT TIMEOUT PROFILE
 * (PREVIOUS_* empty when there is nothing to return to; PREVIOUS_LINK empty when the
 * profile was not moved, as for `test`; PROFILE is the system profile's path).
 */
export const SWITCH_RUN_SCRIPT = `set -u
dir=$1 action=$2 toplevel=$3 previous=$4 previous_link=$5 verdict=$6 timeout=$7 profile=$8
say() { printf 'nixos-via-switch: %s\\n' "$*"; }
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
  case "$action" in test) back=test ;; boot) back=boot ;; *) back=switch ;; esac
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
  say "waiting up to \${timeout}s for confirmation over a new connection"
  waited=0
  while [ ! -e "$dir/confirmed" ] && [ ! -e "$dir/rollback" ] && [ "$waited" -lt "$timeout" ]; do
    sleep 1
    waited=$((waited + 1))
  done
  if [ -e "$dir/confirmed" ]; then
    say "confirmed"
    outcome=confirmed
  else
    if [ -e "$dir/rollback" ]; then reason=$(cat "$dir/rollback"); else reason="no confirmation within \${timeout}s"; fi
    rollback "$reason"
  fi
else
  outcome=done
fi
printf '%s\\n' "$outcome" > "$dir/outcome.tmp" && mv "$dir/outcome.tmp" "$dir/outcome"
`;

/**
 * Asks {@link SWITCH_RUN_SCRIPT} to roll back, for REASON (one line). Arguments: DIR REASON.
 * The file appears complete or not at all, so the target never reads half a reason.
 */
export const SWITCH_ROLLBACK_REQUEST_SCRIPT = `set -eu
printf '%s\\n' "$2" > "$1/rollback.tmp"
mv "$1/rollback.tmp" "$1/rollback"
`;

/**
 * Starts {@link SWITCH_RUN_SCRIPT} (read from stdin) detached. Arguments: DIR, then the
 * run script's arguments after DIR. Prints `started`.
 */
export const SWITCH_START_SCRIPT = `set -eu
dir=$1
mkdir -p -m 0700 "$dir"
cat > "$dir/run.sh"
: > "$dir/log"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  systemd-run --quiet --collect --unit "nixos-via-\${dir##*/}" \\
    -p StandardOutput="append:$dir/log" -p StandardError="append:$dir/log" \\
    sh "$dir/run.sh" "$@" >/dev/null
else
  setsid sh "$dir/run.sh" "$@" </dev/null >>"$dir/log" 2>&1 &
fi
echo started
`;

/**
 * Prints the switch's log from byte OFFSET on as it grows, until the file UNTIL
 * (`status` or `outcome`) exists; then prints `nixos-via-state=<its content>` on stderr.
 * Arguments: DIR OFFSET UNTIL. Safe to run again after a dropped connection.
 */
export const SWITCH_FOLLOW_SCRIPT = `set -u
dir=$1 offset=$2 until=$3
show() {
  size=$(wc -c < "$dir/log")
  if [ "$size" -gt "$offset" ]; then
    tail -c +$((offset + 1)) "$dir/log" | head -c $((size - offset))
    offset=$size
  fi
}
while :; do
  if [ -e "$dir/$until" ]; then
    show
    echo "nixos-via-state=$(cat "$dir/$until")" >&2
    exit 0
  fi
  show
  sleep 1
done
`;
