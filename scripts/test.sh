#!/usr/bin/env bash
# The whole test suite on a fresh machine of this kind: set everything up, then type-check,
# run every test (unit, integration with real Nix and mounts, end to end in QEMU) and
# build the API docs with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: type-check"
npx tsc -p tsconfig.json --noEmit
echo "test: vitest"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
echo "test: API docs"
npm run docs --silent
# The closing line any CI reads: "N passed, N failed".
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$report"
