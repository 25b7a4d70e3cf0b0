set -e
state=$1 toplevel=$2 n=$3
mkdir -p -m 0755 "$state/profiles" "$state/gcroots"
ln -sfn /nix/var/nix/profiles "$state/gcroots/profiles"
ln -sfn "$toplevel" "$state/profiles/system-$n-link"
ln -sfn "system-$n-link" "$state/profiles/system"
