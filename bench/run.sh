#!/usr/bin/env bash
# npm run bench [-- --quick] : see bench/README.md. Needs root, Nix 2.8 (nix-bin),
# OpenSSH (client and server), zstd, busybox-static, and `npm run build` done.
set -euo pipefail
cd "$(dirname "$0")/.."
export NIX_CONFIG=$'build-users-group =\nexperimental-features = nix-command\nsubstituters ='
for t in nix-build nix-copy-closure ssh /usr/sbin/sshd zstd tar /usr/bin/busybox; do
  command -v "$t" >/dev/null || { echo "bench: $t is missing (run scripts/setup.sh)" >&2; exit 1; }
done
[ -f packages/cli/dist/cli.js ] || npm run build
exec node bench/run.mjs "$@"
