set -eu
printf '%s\n' "$2" > "$1/rollback.tmp"
mv "$1/rollback.tmp" "$1/rollback"
