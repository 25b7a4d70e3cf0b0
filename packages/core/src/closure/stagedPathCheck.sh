# staged_ok INCOMING NAME: true when the staged path INCOMING/NAME has its marker
# INCOMING/.done/NAME and matches the manifest written in it.
path_manifest() {
  files=$(find "$1" -type f | wc -l) && bytes=$(find "$1" -type f -exec cat {} + | wc -c) &&
    links=$(find "$1" -type l | wc -l) && dirs=$(find "$1" -type d | wc -l) || return 1
  # shellcheck disable=SC2086 # unquoted on purpose: some wc pad their counts with blanks
  printf 'files=%s bytes=%s links=%s dirs=%s' $files $bytes $links $dirs
}
staged_ok() {
  { [ -e "$1/$2" ] || [ -L "$1/$2" ]; } && [ -f "$1/.done/$2" ] || return 1
  manifest=$(path_manifest "$1/$2") && [ -n "$manifest" ] || return 1
  [ "$(cat "$1/.done/$2")" = "$manifest" ]
}
