set -u
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
