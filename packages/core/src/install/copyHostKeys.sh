set -e
mkdir -p -m 0755 "$1/etc/ssh"
for key in /etc/ssh/ssh_host_*_key; do
  [ -e "$key" ] || continue
  cp "$key" "$1$key" && chmod 0600 "$1$key"
  if [ -e "$key.pub" ]; then cp "$key.pub" "$1$key.pub" && chmod 0644 "$1$key.pub"; fi
done
