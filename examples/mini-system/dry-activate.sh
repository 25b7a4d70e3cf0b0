#!@sh@ sh
# Says what activate would change, changing nothing.
systemConfig=@out@
export PATH=$systemConfig/sw/bin

echo "would activate $systemConfig"
cur=$(readlink /run/current-system 2>/dev/null || true)
[ "$cur" = "$systemConfig" ] || echo "would switch /run/current-system from ${cur:-nothing} to $systemConfig"
[ -s /etc/ssh/ssh_host_ed25519_key ] || echo "would generate /etc/ssh/ssh_host_ed25519_key"
if ! cmp -s /etc/ssh/sshd_config "$systemConfig/etc/ssh/sshd_config"; then
    echo "would restart sshd (configuration changed)"
fi
if [ "@brokenSsh@" = 1 ]; then
    echo "would stop sshd (brokenSsh=1)"
fi
exit 0
