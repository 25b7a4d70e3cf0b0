dev=$1
if [ ! -b "$dev" ]; then echo notblock; exit 0; fi
real=$(readlink -f "$dev")
name=${real##*/}
sys=/sys/class/block/$name
if [ ! -d "$sys" ]; then echo nosys; exit 0; fi
if [ -e "$sys/partition" ]; then echo partition; fi
for d in "$sys" "$sys/$name"*; do
  [ -e "$d/dev" ] || continue
  n=${d##*/}
  mm=$(cat "$d/dev")
  awk -v mm="$mm" -v src="/dev/$n" -v n="$n" '
    { for (i = 1; i <= NF; i++) if ($i == "-") break }
    $3 == mm || $(i + 2) == src { print "mounted=" n " " $5 }' /proc/self/mountinfo
  if grep -q "^/dev/$n " /proc/swaps 2>/dev/null; then echo "swap=$n"; fi
  for h in "$d"/holders/*; do
    if [ -e "$h" ]; then echo "holder=$n ${h##*/}"; fi
  done
done
echo checked
