#!/usr/bin/env bash
# Lints every shell script of the repository with shellcheck (warnings and notes alike)
# and fails on any finding. Target scripts (packages/*/src/**/*.sh) have no shebang and
# run under dash or busybox ash, so they are checked as POSIX sh; the others by their
# shebang. Deliberate constructs carry `# shellcheck disable=SC… # why` next to them;
# .shellcheckrc holds the one rule disabled everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
posix=() bash=()
for file in packages/*/src/**/*.sh test/rescue/*.sh scripts/*.sh bench/*.sh; do
  case $(head -n 1 "$file") in
    '#!'*bash*) bash+=("$file") ;;
    *) posix+=("$file") ;;
  esac
done
status=0
if [ "${#posix[@]}" -gt 0 ]; then shellcheck --shell=sh "${posix[@]}" || status=1; fi
if [ "${#bash[@]}" -gt 0 ]; then shellcheck --shell=bash "${bash[@]}" || status=1; fi
if [ "$status" -eq 0 ]; then echo "shellcheck: ${#posix[@]} POSIX and ${#bash[@]} bash scripts, clean"; fi
exit "$status"
