#!/usr/bin/env bash
# The whole test suite on a fresh machine of this kind: set everything up, then type-check,
# run every test (unit, integration with real Nix and mounts, end to end in QEMU), build
# the docs site with warnings as errors and check it: every internal link and anchor
# resolves, every page renders in headless Chromium without console errors.
# Every Nix build in the suite is hermetic, so it passes with Nix's sandbox on (this
# machine kind's default) and off: NIXOS_VIA_NIX_SANDBOX=false (or true) forces one.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -n "${NIXOS_VIA_NIX_SANDBOX:-}" ]; then
  nix_conf_dir=$(mktemp -d)
  { cat /etc/nix/nix.conf 2>/dev/null || true; echo "sandbox = $NIXOS_VIA_NIX_SANDBOX"; } >"$nix_conf_dir/nix.conf"
  export NIX_CONF_DIR=$nix_conf_dir
  echo "test: Nix's sandbox = $NIXOS_VIA_NIX_SANDBOX"
fi
echo "test: type-check"
npx tsc -p tsconfig.json --noEmit
echo "test: shellcheck"
bash scripts/shellcheck.sh
echo "test: vitest"
report=$(mktemp)
trap 'rm -f "$report"; rm -rf "${nix_conf_dir:-}"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
echo "test: docs site"
npm run docs --silent
node scripts/check-docs-site.mjs docs/api
# The closing line any CI reads: "N passed, N failed".
# shellcheck disable=SC2016 # JavaScript's template literal, not the shell's
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$report"
