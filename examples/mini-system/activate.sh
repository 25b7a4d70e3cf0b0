#!@sh@ sh
# Activation: makes the running (or chrooted, IN_NIXOS_ENTER=1) root match this system.
# Idempotent; runs at every boot and on switch/test.
systemConfig=@out@
export PATH=$systemConfig/sw/bin
set -e

echo "activating the configuration..."
if [ "@activationDelay@" != 0 ]; then sleep "@activationDelay@"; fi

mkdir -m 0755 -p /etc /etc/ssh /etc/ssh/authorized_keys.d /etc/nix /run /var /var/log \
    /var/empty /bin /usr/bin /nix/var/nix/gcroots /nix/var/nix/profiles /run/nixos
mkdir -m 0700 -p /root /root/.ssh
mkdir -m 1777 -p /tmp
chmod 0755 /var/empty

# /etc/static points into the system's etc; managed files link through it, as on NixOS.
ln -sfn "$systemConfig/etc" /etc/static
for f in ssh/sshd_config nix/nix.conf os-release hostname motd; do
    ln -sfn "/etc/static/$f" "/etc/$f"
done
# A system built with a disk layout has an fstab (its file systems and swap).
if [ -e "$systemConfig/etc/fstab" ]; then ln -sfn /etc/static/fstab /etc/fstab; else rm -f /etc/fstab; fi
# sshd wants authorized keys owned by root and not group/world-writable: a copy, not a link.
cp "$systemConfig/etc/ssh/authorized_keys.d/root" /etc/ssh/authorized_keys.d/root.tmp
chmod 0644 /etc/ssh/authorized_keys.d/root.tmp
mv /etc/ssh/authorized_keys.d/root.tmp /etc/ssh/authorized_keys.d/root
touch /etc/NIXOS
[ -e /etc/mtab ] || ln -s /proc/mounts /etc/mtab
[ -e /run/resolv.conf ] || : > /run/resolv.conf
[ -e /etc/resolv.conf ] || ln -s /run/resolv.conf /etc/resolv.conf

# Users: root and sshd's privilege-separation user. "*" (not "!") leaves key logins open.
cat > /etc/passwd.tmp <<'EOF'
root:x:0:0:System administrator:/root:/run/current-system/sw/bin/sh
sshd:x:74:74:SSH privilege separation user:/var/empty:/run/current-system/sw/bin/nologin
nobody:x:65534:65534:Unprivileged account:/var/empty:/run/current-system/sw/bin/nologin
EOF
cat > /etc/group.tmp <<'EOF'
root:x:0:
sshd:x:74:
nogroup:x:65534:
EOF
cat > /etc/shadow.tmp <<'EOF'
root:*:1::::::
sshd:*:1::::::
nobody:*:1::::::
EOF
chmod 0644 /etc/passwd.tmp /etc/group.tmp
chmod 0600 /etc/shadow.tmp
mv /etc/passwd.tmp /etc/passwd
mv /etc/group.tmp /etc/group
mv /etc/shadow.tmp /etc/shadow

# Host keys are generated once and kept: they are the machine's identity. Only ed25519:
# RSA key generation takes long under emulated CPUs.
if [ ! -s /etc/ssh/ssh_host_ed25519_key ]; then
    rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub
    ssh-keygen -q -t ed25519 -N "" -C "root@nixos-via" -f /etc/ssh/ssh_host_ed25519_key
    echo "generated SSH host key /etc/ssh/ssh_host_ed25519_key"
fi

ln -sfn "$systemConfig/sw/bin/sh" /bin/sh
ln -sfn "$systemConfig/sw/bin/env" /usr/bin/env

ln -sfn "$systemConfig" /run/current-system
# NixOS keeps the running system's closure alive against garbage collection.
ln -sfn /run/current-system /nix/var/nix/gcroots/current-system
ln -sfn /run/booted-system /nix/var/nix/gcroots/booted-system
