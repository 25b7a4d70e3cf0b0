# The kexec installer of one system (docs/kexec.md), built by the SDK with this machine's Nix.
# `spec` is a JSON file the SDK writes (buildKexecInstaller.ts):
#   toplevel     the system being installed
#   kernel       its kernel file (a path in its closure)
#   kernelParams its kernel-params
#   modules      its kernel's module tree (lib/modules/VERSION in its closure)
#   storePaths   paths of its closure the installer carries: they reach the new disk from RAM
#   links        NAME -> program in those paths: the installer's PATH (sh, tar, sshd…)
#   programs     [{ name, file }] programs the closure lacks, taken from this machine with
#   libraries    [{ name, file }] the libraries they load, by soname (run through the store's ld.so)
#   kexec        { file, libraries }: the kexec binary that runs on the target before the switch
# Output: kernel, initrd (gzip newc cpio), kexec/ (run as kexec/ld.so --library-path kexec
# kexec/kexec), busybox (static: it writes the identity archive on the target), cmdline,
# store-paths.
{ spec }:
let
  s = builtins.fromJSON (builtins.readFile spec);
  inherit (builtins) concatStringsSep map attrNames baseNameOf;
  system = "x86_64-linux";
  bb = builtins.path { path = /usr/bin; name = "busybox-static"; filter = p: t: baseNameOf p == "busybox"; };
  sh = "${bb}/busybox";
  hostFile = f: builtins.path { path = /. + f; name = "host-" + baseNameOf f; };
  run = name: script: derivation {
    inherit name system;
    builder = sh;
    args = [ "sh" "-e" "-c" ''
      mkdir -p $TMPDIR/bin
      ${sh} --install -s $TMPDIR/bin
      export PATH=$TMPDIR/bin
      ${script}
    '' ];
  };
  libDir = name: files: run name ''
    mkdir -p $out
    ${concatStringsSep "\n" (map (l: "cp ${hostFile l.file} $out/${l.name}") files)}
  '';
  toolLibs = libDir "nixos-via-installer-libs" s.libraries;
  # Programs the closure lacks: each runs through the store's loader, never /lib.
  tools = run "nixos-via-installer-tools" ''
    mkdir -p $out/bin $out/libexec
    ${concatStringsSep "\n" (map (p: ''
      cp ${hostFile p.file} $out/libexec/${p.name}
      chmod 755 $out/libexec/${p.name}
      printf '#!/bin/sh\nexec ${toolLibs}/ld-linux-x86-64.so.2 --library-path ${toolLibs} --argv0 ${p.name} '$out'/libexec/${p.name} "$@"\n' > $out/bin/${p.name}
      chmod 755 $out/bin/${p.name}
    '') s.programs)}
  '';
  closurePaths = map builtins.storePath s.storePaths;
  initrd = run "nixos-via-installer-initrd" ''
    r=$TMPDIR/root
    mkdir -p $r/nix/store $r/bin $r/sbin $r/etc/ssh $r/root/.ssh $r/proc $r/sys $r/dev $r/run $r/tmp $r/mnt $r/var/empty $r/lib/modules
    for p in ${concatStringsSep " " (map toString closurePaths)} ${toolLibs} ${tools}; do cp -a $p $r/nix/store/; done
    ${concatStringsSep "\n" (map (n: "ln -sfn ${s.links.${n}} $r/bin/${n}") (attrNames s.links))}
    for p in ${tools}/bin/*; do ln -sfn $p $r/bin/; done
    for a in init modprobe reboot poweroff; do [ -e $r/bin/$a ] && ln -sfn ../bin/$a $r/sbin/$a; done
    ln -s ${s.modules} $r/lib/modules/${baseNameOf s.modules}
    sed -e 's|@modules@|${baseNameOf s.modules}|' ${./installer-init.sh} > $r/init
    chmod 755 $r/init
    printf '%s\n' ${concatStringsSep " " s.storePaths} > $r/etc/nixos-via-installer-paths
    printf 'root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534:sshd:/var/empty:/bin/false\n' > $r/etc/passwd
    printf 'root:x:0:\nnogroup:x:65534:\n' > $r/etc/group
    printf 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\n' > $r/etc/shadow
    chmod 600 $r/etc/shadow
    cp ${./installer-sshd_config} $r/etc/ssh/sshd_config
    printf '::sysinit:/etc/nixos-via-installer-up\n::ctrlaltdel:/sbin/reboot\n' > $r/etc/inittab
    printf '#!/bin/sh\necho "nixos-via-installer: PID 1 is busybox init"\n' > $r/etc/nixos-via-installer-up
    chmod 755 $r/etc/nixos-via-installer-up $r/root
    chmod 700 $r/root/.ssh
    chmod 1777 $r/tmp
    mkdir -p $out
    cd $r
    find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip -6 -n > $out/initrd
  '';
  kexecLibs = libDir "nixos-via-kexec-libs" s.kexec.libraries;
in
run "nixos-via-kexec-installer" ''
  mkdir -p $out/kexec
  cp ${builtins.storePath s.kernel} $out/kernel
  cp ${initrd}/initrd $out/initrd
  cp ${kexecLibs}/* $out/kexec/
  cp ${hostFile s.kexec.file} $out/kexec/kexec
  chmod 755 $out/kexec/kexec $out/kexec/ld-linux-x86-64.so.2
  cp ${sh} $out/busybox
  chmod 755 $out/busybox
  printf '%s' '${s.kernelParams}' > $out/cmdline
  printf '%s\n' ${concatStringsSep " " s.storePaths} > $out/store-paths
''
