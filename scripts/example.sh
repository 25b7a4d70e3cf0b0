#!/usr/bin/env bash
# The main job on the bundled example: set everything up, build examples/mini-system with
# real Nix, install it into a directory with nixos-via, and let Nix judge the result.
# Usage: scripts/example.sh [ROOT]   (default: /var/tmp/nixos-via-example, replaced each run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

root=${1:-/var/tmp/nixos-via-example}
export NIX_CONFIG=$'build-users-group =\nexperimental-features = nix-command\nsubstituters ='

echo "example: building examples/mini-system (generation 1)"
system=$(nix-build examples/mini-system --argstr generation 1 --no-out-link)

rm -rf "$root"
mkdir -m 0755 -p "$root" "$root/boot"
echo "example: the plan"
npx nixos-via install "dir:$root" --system "$system" --dry-run | sed -n '1,/^$/p;/^ *[0-9]*\. /p'
echo "example: installing"
npx nixos-via install "dir:$root" --system "$system"

echo "example: Nix judges the result"
nix-store --store "local?root=$root" --verify --check-contents
echo "  $(nix path-info --store "local?root=$root" -r "$system" | wc -l) store paths valid in $root (the closure has $(nix-store -qR "$system" | wc -l))"
echo "  profile: $(readlink "$root/nix/var/nix/profiles/system") -> $(readlink "$root/nix/var/nix/profiles/system-1-link")"
echo "  bootloader entry: $(ls "$root/boot/loader/entries")"
