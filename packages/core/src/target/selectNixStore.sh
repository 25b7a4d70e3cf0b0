# select_nix_store ROOT: picks the nix-store that reads the database under ROOT, or prints
# error=... and fails. Then nix_store ARGS runs it, and nix_store_xargs ARGS runs it through
# xargs (stdin's paths appended, as many per run as fit).
select_nix_store() {
  nix_store_root=$1
  if [ "${NIXOS_VIA_NIX_STORE:-}" = host ]; then
    command -v nix-store >/dev/null 2>&1 || { echo 'error=this machine has no nix-store to read the root with (install Nix)'; return 1; }
    nix_store_via=store
  elif [ "$1" = / ] && command -v nix-store >/dev/null 2>&1; then
    nix_store_via=path
  elif chroot "$1" /nix/var/nix/profiles/system/sw/bin/nix-store --version >/dev/null 2>&1; then
    nix_store_via=chroot
  elif command -v nix-store >/dev/null 2>&1; then
    nix_store_via=store
  else
    echo 'error=the target has a Nix database but no nix-store to read it with'
    return 1
  fi
}
nix_store() { nix_store_through "" "$@"; }
nix_store_xargs() { nix_store_through xargs "$@"; }
nix_store_through() {
  nix_store_runner=$1
  shift
  case $nix_store_via in
    path) set -- nix-store "$@" ;;
    chroot) set -- chroot "$nix_store_root" /nix/var/nix/profiles/system/sw/bin/nix-store "$@" ;;
    *) set -- nix-store --store "local?root=$nix_store_root" "$@" ;;
  esac
  ${nix_store_runner:+"$nix_store_runner"} "$@"
}
