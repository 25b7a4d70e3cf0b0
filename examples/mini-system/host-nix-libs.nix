# The host's Nix 2.8 (Debian 12) needs these shared libraries to run in a root with no
# /lib: imported by soname, shared by examples/mini-system and bench/closure so both carry
# the same, byte-identical bundle.
{ hostLibs }:
{
  nixSysLibs = hostLibs "nix-host-libs" /lib/x86_64-linux-gnu [
    "ld-linux-x86-64.so.2" "libc.so.6" "libhistory.so.8" "libreadline.so.8" "libgc.so.1"
    "libstdc++.so.6" "libgcc_s.so.1" "libtinfo.so.6" "libboost_context.so.1.74.0" "libm.so.6"
    "libsqlite3.so.0" "libcurl-gnutls.so.4" "libsodium.so.23" "libseccomp.so.2"
    "libcrypto.so.3" "libbrotlienc.so.1" "libbrotlidec.so.1" "libarchive.so.13"
    "libcpuid.so.16" "libbsd.so.0" "libnghttp2.so.14" "libidn2.so.0" "librtmp.so.1"
    "libssh2.so.1" "libpsl.so.5" "libnettle.so.8" "libgnutls.so.30" "libgssapi_krb5.so.2"
    "libldap-2.5.so.0" "liblber-2.5.so.0" "libzstd.so.1" "libz.so.1" "libbrotlicommon.so.1"
    "libacl.so.1" "liblzma.so.5" "liblz4.so.1" "libbz2.so.1.0" "libxml2.so.2" "libmd.so.0"
    "libunistring.so.2" "libhogweed.so.6" "libgmp.so.10" "libp11-kit.so.0" "libtasn1.so.6"
    "libkrb5.so.3" "libk5crypto.so.3" "libcom_err.so.2" "libkrb5support.so.0" "libsasl2.so.2"
    "libicuuc.so.72" "libffi.so.8" "libkeyutils.so.1" "libresolv.so.2" "libicudata.so.72"
    # Nix dlopen()s the NSS modules at start-up
    "libnss_dns.so.2" "libnss_files.so.2"
  ];
  nixOwnLibs = hostLibs "nix-own-libs" /usr/lib/nix [
    "libnixexpr.so" "libnixmain.so" "libnixfetchers.so" "libnixstore.so" "libnixutil.so"
    "libnixcmd.so"
  ];
}
