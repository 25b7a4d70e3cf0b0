#!@sh@ sh
# (Re)starts sshd for the current system. Only the listener is killed, so sessions that
# are running the switch survive it, as with a real sshd restart.
systemConfig=@out@
export PATH=$systemConfig/sw/bin

if [ -f /run/sshd.pid ]; then
    pid=$(cat /run/sshd.pid)
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    fi
    rm -f /run/sshd.pid
fi

if [ "@brokenSsh@" = 1 ]; then
    # Deliberately broken generation (brokenSsh=1): no SSH, to exercise magic rollback.
    echo "start-sshd: this generation is built with brokenSsh=1; sshd not started" >&2
    exit 0
fi

if [ -e /run/host/container-manager ] && [ ! -e /run/host/private-network ]; then
    # A container sharing the host's network would take the host's port 22.
    echo "start-sshd: this container shares the host's network; sshd not started" >&2
    exit 0
fi

mkdir -p /run/sshd /var/log
chmod 0755 /run/sshd
# -r: no re-exec, because re-exec'ing the real binary would need /lib's loader.
@openssh@/bin/sshd -r -f /etc/ssh/sshd_config -E /var/log/sshd.log || exit 1
# sshd forks into the background before it listens; its pid file appears once it does.
i=0
while [ ! -s /run/sshd.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s /run/sshd.pid ] || { echo "start-sshd: sshd did not come up (see /var/log/sshd.log)" >&2; exit 1; }
