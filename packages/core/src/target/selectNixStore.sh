# select_nix_store ROOT: picks the nix-store that reads the database under ROOT, or prints
# error=... and fails. Then nix_store ARGS runs it, and nix_store_xargs ARGS runs it through
# xargs (stdin's paths appended, as many per run as fit).
#
# The root's own nix-store is picked without starting it to see that it runs (a start costs
# ~30 ms of the target's CPU): each call runs it through chroot first. A call runs again
# with this machine's nix-store, pointed at the root, only when chroot exits 127 (no such
# file: a dangling link, a missing ELF interpreter or library, no chroot at all), 126
# (found but not runnable: another machine kind's program, no x bit) or 125 (GNU chroot
# could not change root). Then nix-store did not run and read nothing, stdin included, so
# the same call is the same question. Nix itself exits 1 on errors (never 125-127): such a
# failure, and every other, is returned as it is. busybox's chroot exits 1 when it cannot
# change root (only root can): returned, not retried. Without a nix-store on this machine
# such a call prints the error= line on fd 9 (a copy of stdout as it was when
# select_nix_store ran, so it reaches the script's stdout also from inside $(...)) and fails. chroot's complaint stays on stderr, which callers show only when the script fails.
select_nix_store() {
  nix_store_root=$1
  if [ "${NIXOS_VIA_NIX_STORE:-}" = host ]; then
    command -v nix-store >/dev/null 2>&1 || { echo 'error=this machine has no nix-store to read the root with (install Nix)'; return 1; }
    nix_store_via=store
  elif [ "$1" = / ] && command -v nix-store >/dev/null 2>&1; then
    nix_store_via=path
  elif command -v nix-store >/dev/null 2>&1; then
    nix_store_via=chroot nix_store_else=store
  else
    nix_store_via=chroot nix_store_else=error
    exec 9>&1
  fi
}
nix_store() { nix_store_through "" "$@"; }
nix_store_xargs() { nix_store_through xargs "$@"; }
nix_store_through() {
  nix_store_runner=$1
  shift
  case $nix_store_via in
    path) set -- nix-store "$@" ;;
    chroot)
      # xargs runs programs, not functions: the same text runs through sh there.
      if [ -n "$nix_store_runner" ]; then
        set -- sh -c "$nix_store_chroot" nixos-via-nix-store "$nix_store_root" "$nix_store_else" "$@"
      else
        (set -- "$nix_store_root" "$nix_store_else" "$@"; eval "$nix_store_chroot")
        return
      fi
      ;;
    *) set -- nix-store --store "local?root=$nix_store_root" "$@" ;;
  esac
  ${nix_store_runner:+"$nix_store_runner"} "$@"
}
# ROOT ELSE ARGS...: the root's nix-store, else (ELSE=store) this machine's; see above.
# shellcheck disable=SC2016
nix_store_chroot='r=$1 e=$2
shift 2
chroot "$r" /nix/var/nix/profiles/system/sw/bin/nix-store "$@"
s=$?
case $s in 125 | 126 | 127) ;; *) exit "$s" ;; esac
[ "$e" = store ] && exec nix-store --store "local?root=$r" "$@"
echo "error=the target has a Nix database but no nix-store to read it with" >&9
exit "$s"'
