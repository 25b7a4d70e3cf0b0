sync; (sleep 2; reboot || reboot -f) >/dev/null 2>&1 </dev/null &
