set -eu
dir=$1
mkdir -p -m 0700 "$dir"
cat > "$dir/run.sh"
: > "$dir/log"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  systemd-run --quiet --collect --unit "nixos-via-${dir##*/}" \
    -p StandardOutput="append:$dir/log" -p StandardError="append:$dir/log" \
    sh "$dir/run.sh" "$@" >/dev/null
else
  setsid sh "$dir/run.sh" "$@" </dev/null >>"$dir/log" 2>&1 &
fi
echo started
