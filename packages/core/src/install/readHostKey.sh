set -e
key="$1/etc/ssh/ssh_host_ed25519_key"
if [ ! -e "$key" ]; then
  if ! command -v ssh-keygen >/dev/null 2>&1; then
    echo "the new system has no SSH host key yet and there is no ssh-keygen to make one; pass --copy-host-keys or --no-reboot" >&2
    exit 1
  fi
  mkdir -p -m 0755 "$1/etc/ssh"
  ssh-keygen -q -t ed25519 -N "" -C "" -f "$key"
fi
cat "$key.pub"
