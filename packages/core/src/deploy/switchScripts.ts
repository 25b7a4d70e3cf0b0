/**
 * The switch, detached from the connection that starts it: `switch-to-configuration`
 * runs in its own session (systemd-run where systemd runs, setsid otherwise), writing
 * its output to `DIR/log`, its exit status to `DIR/status`, and how it all ended to
 * `DIR/outcome`. With `verdict` = 1 it then waits up to `timeout` seconds for `DIR/confirmed`
 * (the deployer reached the new system over a new connection and its health checks
 * passed) and rolls back by itself when it is not there, or when `DIR/rollback` says so.
 * A failed switch rolls back too.
 *
 * Arguments: DIR ACTION TOPLEVEL PREVIOUS_TOPLEVEL PREVIOUS_LINK VERDICT TIMEOUT
 * (PREVIOUS_* empty when there is nothing to return to; PREVIOUS_LINK empty when the
 * profile was not moved, as for `test`).
 */
export const SWITCH_RUN_SCRIPT = `set -u
dir=$1 action=$2 toplevel=$3 previous=$4 previous_link=$5 verdict=$6 timeout=$7
say() { echo "nixos-via-switch: $*"; }
echo $$ > "$dir/pid"
say "switch-to-configuration $action of $toplevel"
"$toplevel/bin/switch-to-configuration" "$action"
status=$?
echo "$status" > "$dir/status.tmp" && mv "$dir/status.tmp" "$dir/status"
rollback() {
  if [ "$action" = dry-activate ]; then say "dry-activate changed nothing: no rollback"; return 0; fi
  if [ -z "$previous" ]; then say "nothing to roll back to"; return 1; fi
  say "rolling back to $previous ($1)"
  if [ -n "$previous_link" ]; then ln -sfn "$previous_link" /nix/var/nix/profiles/system; fi
  case "$action" in test) back=test ;; boot) back=boot ;; *) back=switch ;; esac
  "$previous/bin/switch-to-configuration" "$back"
}
if [ "$status" -ne 0 ]; then
  say "switch-to-configuration $action failed with exit code $status"
  rollback "the switch failed"
  outcome="failed $status"
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
    outcome="rolled-back $reason"
  fi
else
  outcome=done
fi
echo "$outcome" > "$dir/outcome.tmp" && mv "$dir/outcome.tmp" "$dir/outcome"
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
