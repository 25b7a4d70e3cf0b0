# A NixOS-shaped system built by real Nix without nixpkgs and without network.
# Everything comes from the build host (Debian 12): static busybox, OpenSSH, Nix 2.8,
# extlinux, systemd-boot and Debian's kernel (unpacked by scripts/setup.sh).
# See README.md for the contract this follows.
{ generation ? "1"
, boot ? "uefi"              # "uefi" (systemd-boot on the ESP at /boot), "bios" (extlinux), or
                             # "hybrid" (both on the ESP at /boot, root found by the label "nixos")
, authorizedKeys ? ""        # newline-separated ssh public keys for root
, activationDelay ? "0"      # seconds the activation takes: lets tests drop connections mid-switch
, brokenSsh ? ""             # "1": the system boots/activates without a reachable sshd
, diskTools ? ""             # "1": sgdisk, mkfs.ext4, mkfs.vfat, wipefs, partx, blkid in sw/bin
, rebuild ? ""               # any other value: every derivation gets a new hash (a mass rebuild), files mostly the same
, kernelDir ? ../../.cache/debian-kernel
, layout ? ""                # a disko layout as JSON (a file): carried at $toplevel/disko.json
, layoutModule ? ""          # absolute path of the module `nixos-via layout FILE --nixos-module` printed
}:

let
  system = "x86_64-linux";

  inherit (builtins) any filter map concatStringsSep attrNames readDir pathExists
    substring stringLength baseNameOf elem;

  # The disk layout's module, when given: what stage 1 opens, assembles and mounts.
  storage = import ./storage.nix { inherit layoutModule hostLibs hostFile runScript; };

  hasPrefix = pre: s: substring 0 (stringLength pre) s == pre;

  # --argstr gives a string; an absolute one is taken as a path.
  kernelDirPath = if builtins.isString kernelDir && hasPrefix "/" kernelDir
    then /. + kernelDir else kernelDir;
  kernelDirOk = builtins.isPath kernelDirPath && pathExists kernelDirPath
    && pathExists (kernelDirPath + "/lib/modules");
  kernelDir' =
    if kernelDirOk then kernelDirPath
    else throw "mini-system: no unpacked Debian kernel at ${toString kernelDir} (boot/ and lib/modules/ expected); run scripts/setup.sh first";

  # The system carries its disk layout, as a NixOS system with disko can (docs/layouts.md):
  # nixos-via install uses $toplevel/disko.json when no --layout is given.
  layoutPath = if layout == "" then null
    else if builtins.isString layout && hasPrefix "/" layout then /. + layout else layout;
  layoutFile = if layoutPath == null then null
    else builtins.path { path = layoutPath; name = "disko.json"; };

  kernelVersion =
    let vs = attrNames (readDir (kernelDir' + "/lib/modules"));
    in if vs == [ ] then throw "mini-system: ${toString kernelDir}/lib/modules is empty; run scripts/setup.sh"
       else builtins.head vs;

  # busybox chooses its applet from argv[0]'s basename, so the file keeps its name inside
  # a directory; importing /usr/bin filtered to one file does exactly that.
  bb = builtins.path {
    path = /usr/bin;
    name = "busybox-static";
    filter = p: t: baseNameOf p == "busybox";
  };
  sh = "${bb}/busybox";

  # Host shared libraries, imported by soname. A soname is usually a symlink to a versioned
  # file (libz.so.1 -> libz.so.1.2.13), so files named "<soname>.*" come along too.
  hostLibs = name: dir: sonames: builtins.path {
    path = dir;
    inherit name;
    filter = p: t: let b = baseNameOf p; in
      t != "directory" && any (n: b == n || hasPrefix (n + ".") b) sonames;
  };

  hostFile = path: name: builtins.path { inherit path name; };

  mkDrv = name: script: attrs: derivation ({
    inherit name system;
    builder = sh;
    args = [ "sh" "-e" "-c" script ];
    PATH = "/path-not-set";
  } // (if rebuild == "" then { } else { inherit rebuild; }) // attrs);

  # Runs a builder script with busybox applets on PATH (no coreutils exist here).
  runScript = name: attrs: script: mkDrv name ''
    mkdir -p $TMPDIR/bin
    ${sh} --install -s $TMPDIR/bin
    export PATH=$TMPDIR/bin
    ${script}
  '' attrs;

  sshLibs = hostLibs "openssh-host-libs" /lib/x86_64-linux-gnu [
    "ld-linux-x86-64.so.2" "libc.so.6" "libcrypt.so.1" "libwrap.so.0" "libaudit.so.1"
    "libpam.so.0" "libsystemd.so.0" "libselinux.so.1" "libgssapi_krb5.so.2" "libkrb5.so.3"
    "libcom_err.so.2" "libcrypto.so.3" "libz.so.1" "libnsl.so.2" "libcap-ng.so.0"
    "libcap.so.2" "libgcrypt.so.20" "liblzma.so.5" "libzstd.so.1" "liblz4.so.1"
    "libpcre2-8.so.0" "libk5crypto.so.3" "libkrb5support.so.0" "libkeyutils.so.1"
    "libresolv.so.2" "libtirpc.so.3" "libgpg-error.so.0"
  ];

  inherit (import ./host-nix-libs.nix { inherit hostLibs; }) nixSysLibs nixOwnLibs;

  extlinuxLibs = hostLibs "extlinux-host-libs" /lib/x86_64-linux-gnu [ "ld-linux-x86-64.so.2" "libc.so.6" ];

  # A dynamically linked host program made runnable where no /lib exists: its loader and
  # libraries live in the store and the wrapper calls the loader explicitly. The build
  # fails if the loader would pick any library from outside the store.
  bundle = { name, libPath, programs }: runScript name { } ''
    mkdir -p $out/bin $out/libexec
    ld=${builtins.head libPath}/ld-linux-x86-64.so.2
    ${concatStringsSep "\n" (map (p: ''
      cp ${p.file} $out/libexec/${p.real}
      chmod 755 $out/libexec/${p.real}
      if $ld --library-path ${concatStringsSep ":" libPath} --list $out/libexec/${p.real} \
           | grep -v -e '/nix/store/' -e 'linux-vdso'; then
        echo "${p.real}: libraries resolved outside the store (list in default.nix is stale)" >&2
        exit 1
      fi
      for n in ${concatStringsSep " " p.names}; do
        printf '#!%s sh\nexec %s --library-path %s --argv0 %s %s "$@"\n' \
          ${sh} $ld ${concatStringsSep ":" libPath} "$n" $out/libexec/${p.real} > $out/bin/$n
        chmod 755 $out/bin/$n
      done
    '') programs)}
  '';

  openssh = bundle {
    name = "openssh-host";
    libPath = [ sshLibs ];
    programs = [
      { file = hostFile /usr/sbin/sshd "sshd"; real = "sshd"; names = [ "sshd" ]; }
      { file = hostFile /usr/bin/ssh-keygen "ssh-keygen"; real = "ssh-keygen"; names = [ "ssh-keygen" ]; }
    ];
  };

  # Nix dispatches on argv[0] (nix-store, nix-env, ...); ld.so's --argv0 provides it.
  nix = bundle {
    name = "nix-2.8-host";
    libPath = [ nixSysLibs nixOwnLibs ];
    programs = [
      { file = hostFile /usr/bin/nix "nix"; real = "nix";
        names = [ "nix" "nix-store" "nix-env" "nix-instantiate" "nix-build" "nix-collect-garbage" "nix-hash" ]; }
    ];
  };

  extlinux = bundle {
    name = "extlinux-host";
    libPath = [ extlinuxLibs ];
    programs = [
      { file = hostFile /usr/bin/extlinux "extlinux"; real = "extlinux"; names = [ "extlinux" ]; }
    ];
  };

  # What an install onto another disk of the running system needs (cloning a machine).
  diskToolLibs = hostLibs "disk-tools-host-libs" /lib/x86_64-linux-gnu [
    "ld-linux-x86-64.so.2" "libc.so.6" "libuuid.so.1" "libpopt.so.0" "libstdc++.so.6"
    "libm.so.6" "libgcc_s.so.1" "libext2fs.so.2" "libcom_err.so.2" "libblkid.so.1"
    "libe2p.so.2" "libsmartcols.so.1"
  ];
  diskToolsPkg = bundle {
    name = "disk-tools-host";
    libPath = [ diskToolLibs ];
    programs = [
      { file = hostFile /usr/sbin/sgdisk "sgdisk"; real = "sgdisk"; names = [ "sgdisk" ]; }
      { file = hostFile /usr/sbin/mke2fs "mke2fs"; real = "mke2fs"; names = [ "mke2fs" "mkfs.ext4" ]; }
      { file = hostFile /usr/sbin/mkfs.fat "mkfs.fat"; real = "mkfs.fat"; names = [ "mkfs.fat" "mkfs.vfat" ]; }
      { file = hostFile /usr/sbin/wipefs "wipefs"; real = "wipefs"; names = [ "wipefs" ]; }
      { file = hostFile /usr/bin/partx "partx"; real = "partx"; names = [ "partx" ]; }
      { file = hostFile /usr/sbin/blkid "blkid"; real = "blkid"; names = [ "blkid" ]; }
    ];
  };

  syslinuxMbr = builtins.path { path = /usr/lib/syslinux/mbr; name = "syslinux-mbr";
    filter = p: t: elem (baseNameOf p) [ "mbr.bin" "gptmbr.bin" ]; };

  systemdBootEfi = hostFile /usr/lib/systemd/boot/efi/systemd-bootx64.efi "systemd-bootx64.efi";

  kernel = hostFile (kernelDir' + "/boot/vmlinuz-${kernelVersion}") "vmlinuz-${kernelVersion}";

  # dpkg -x leaves no modules.dep, and .ko files cannot be read at evaluation time, so the
  # dependency closure is listed here and checked (modinfo depends=) when the modules
  # derivation builds; modules.dep is then generated with busybox depmod.
  moduleFiles = [
    "kernel/drivers/virtio/virtio.ko" "kernel/drivers/virtio/virtio_ring.ko"
    "kernel/drivers/virtio/virtio_pci.ko" "kernel/drivers/virtio/virtio_pci_modern_dev.ko"
    "kernel/drivers/virtio/virtio_pci_legacy_dev.ko"
    "kernel/drivers/block/virtio_blk.ko" "kernel/drivers/net/virtio_net.ko"
    "kernel/drivers/net/net_failover.ko" "kernel/net/core/failover.ko"
    "kernel/drivers/scsi/virtio_scsi.ko" "kernel/drivers/scsi/scsi_mod.ko"
    "kernel/drivers/scsi/scsi_common.ko" "kernel/drivers/scsi/sd_mod.ko"
    "kernel/block/t10-pi.ko" "kernel/lib/crc-t10dif.ko" "kernel/crypto/crct10dif_common.ko"
    "kernel/lib/crc64-rocksoft.ko" "kernel/lib/crc64.ko"
    "kernel/drivers/ata/ahci.ko" "kernel/drivers/ata/libahci.ko" "kernel/drivers/ata/libata.ko"
    "kernel/fs/ext4/ext4.ko" "kernel/fs/jbd2/jbd2.ko" "kernel/fs/mbcache.ko" "kernel/lib/crc16.ko"
    "kernel/crypto/crc32c_generic.ko" "kernel/arch/x86/crypto/crc32c-intel.ko"
    "kernel/lib/libcrc32c.ko"
    "kernel/fs/btrfs/btrfs.ko" "kernel/lib/zstd/zstd_compress.ko" "kernel/lib/raid6/raid6_pq.ko"
    "kernel/crypto/xor.ko"
    "kernel/fs/xfs/xfs.ko"
    "kernel/fs/fat/vfat.ko" "kernel/fs/fat/fat.ko" "kernel/fs/nls/nls_cp437.ko"
    "kernel/fs/nls/nls_iso8859-1.ko" "kernel/fs/nls/nls_ascii.ko" "kernel/fs/nls/nls_utf8.ko"
  ] ++ storage.moduleFiles;
  # Loaded in this order by stage 1 (modprobe pulls the rest from modules.dep).
  initrdModules = [
    "crc32c_generic" "crc32c-intel" "libcrc32c" "virtio_pci" "virtio_blk" "virtio_net"
    "virtio_scsi" "ahci" "sd_mod" "ext4" "btrfs" "xfs" "vfat" "nls_cp437" "nls_iso8859-1" "nls_ascii" "nls_utf8"
  ] ++ storage.modules;

  modRoot = kernelDir' + "/lib/modules/${kernelVersion}";
  modRootStr = toString modRoot;
  moduleSrc = builtins.path {
    path = modRoot;
    name = "linux-${kernelVersion}-modules-src";
    filter = p: t:
      let rel = substring (stringLength modRootStr + 1) (-1) p; in
      if t == "directory" then any (f: hasPrefix (rel + "/") f) moduleFiles
      else elem rel moduleFiles;
  };

  kernelModules = runScript "linux-${kernelVersion}-modules" { } ''
    d=$out/lib/modules/${kernelVersion}
    mkdir -p $d
    cp -r ${moduleSrc}/kernel $d/
    chmod -R u+w $d
    for f in ${concatStringsSep " " moduleFiles}; do
      [ -f $d/$f ] || { echo "missing module file $f in the kernel tree" >&2; exit 1; }
    done
    have=" $(for f in $(find $d -name '*.ko'); do basename $f .ko; done | tr '\n' ' ') "
    for f in $(find $d -name '*.ko'); do
      for dep in $(strings $f | sed -n 's/^depends=//p' | tr ',' ' '); do
        case "$have" in
          *" $dep "*) ;;
          *) echo "$(basename $f) needs $dep, which default.nix does not list" >&2; exit 1 ;;
        esac
      done
    done
    depmod -b $out ${kernelVersion}
    test -s $d/modules.dep
  '';

  initrd = runScript "initrd-${kernelVersion}" { } (''
    r=$TMPDIR/root
    mkdir -p $r/bin $r/sbin $r/proc $r/sys $r/dev $r/mnt-root $r/lib/modules $r/run $r/tmp
    cp ${sh} $r/bin/busybox
    for a in $(busybox --list); do [ "$a" = busybox ] || ln -s busybox $r/bin/$a; done
    # the kernel's request_module() runs /sbin/modprobe
    ln -s ../bin/busybox $r/sbin/modprobe
    cp -r ${kernelModules}/lib/modules/${kernelVersion} $r/lib/modules/
    sed -e 's|@modules@|${concatStringsSep " " initrdModules}|' ${./stage-1-init.sh} > $r/init
  '' + (if storage.enabled then ''
    cp -a ${storage.initrdTree}/. $r/
    chmod -R u+w $r
  '' else "") + ''
    chmod 755 $r/init
    mkdir -p $out
    cd $r
    find . | sort | cpio -o -H newc | gzip -9 > $out/initrd
  '');

  # Store paths that change with the generation: the toplevel, etc and motd.
  motd = runScript "motd-generation-${generation}" { } ''
    echo "nixos-via example system, generation ${generation}" > $out
  '';

  sshdConfig = builtins.toFile "sshd_config" ''
    # Written by the nixos-via mini-system. Keys from the build live in
    # /etc/ssh/authorized_keys.d/root, keys added by hand in ~/.ssh/authorized_keys.
    Port 22
    PermitRootLogin prohibit-password
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    UsePAM no
    UseDNS no
    StrictModes no
    PrintMotd no
    PrintLastLog no
    PidFile /run/sshd.pid
    HostKey /etc/ssh/ssh_host_ed25519_key
    AuthorizedKeysFile /etc/ssh/authorized_keys.d/%u .ssh/authorized_keys
    SetEnv PATH=/run/current-system/sw/bin
    Subsystem sftp internal-sftp
  '';

  etc = runScript "etc" ({ inherit authorizedKeys; } // (if storage.enabled then { inherit (storage) fstab; } else { })) (''
    mkdir -p $out/ssh/authorized_keys.d $out/nix
  '' + (if storage.enabled then ''
    printf '%s' "$fstab" > $out/fstab
  '' else "") + ''
    cp ${sshdConfig} $out/ssh/sshd_config
    printf '%s\n' "$authorizedKeys" | grep -v '^[[:space:]]*$' > $out/ssh/authorized_keys.d/root || true
    ln -s ${motd} $out/motd
    cat > $out/nix/nix.conf <<'EOF'
    build-users-group =
    sandbox = false
    experimental-features = nix-command
    EOF
    sed -i 's/^    //' $out/nix/nix.conf
    cat > $out/os-release <<'EOF'
    NAME=NixOS
    ID=nixos
    PRETTY_NAME="nixos-via example (generation ${generation})"
    VERSION_ID="via-example"
    EOF
    sed -i 's/^    //' $out/os-release
    echo nixos-via > $out/hostname
  '');

  sw = runScript "system-path" { } ''
    mkdir -p $out/bin
    for a in $(busybox --list); do ln -s ${sh} $out/bin/$a; done
    for p in ${openssh}/bin/* ${nix}/bin/*${if diskTools == "1" then " ${diskToolsPkg}/bin/*" else ""}; do ln -sf $p $out/bin/; done
  '';

  # A hybrid system boots from a stick that is /dev/sda on one machine and /dev/vdb on the
  # next, so stage 1 looks its root up by file system label.
  kernelParamList = [ "console=ttyS0" "panic=10" "loglevel=4" ]
    ++ (if boot == "hybrid" then [ "root=LABEL=nixos" ] else [ ]);
  kernelParams = concatStringsSep " " kernelParamList;

  subst = file: vars: ''
    sed ${concatStringsSep " " (map (n: "-e 's|@${n}@|${vars.${n}}|g'") (attrNames vars))} ${file}'';

  scriptVars = {
    inherit sh generation kernelVersion brokenSsh boot activationDelay;
    openssh = "${openssh}";
    extlinux = "${extlinux}";
    syslinuxMbr = "${syslinuxMbr}";
    systemdBootEfi = "${systemdBootEfi}";
  };

  toplevel = runScript "nixos-system-nixos-via-${generation}" { } ''
    mkdir -p $out/bin
    vars='-e s|@out@|'$out'|g'
    ${subst ./stage-2-init.sh scriptVars} | sed $vars > $out/init
    ${subst ./activate.sh scriptVars} | sed $vars > $out/activate
    ${subst ./dry-activate.sh scriptVars} | sed $vars > $out/dry-activate
    ${subst ./switch-to-configuration.sh scriptVars} | sed $vars > $out/bin/switch-to-configuration
    ${subst ./install-bootloader.sh scriptVars} | sed $vars > $out/bin/install-bootloader
    ${subst ./start-sshd.sh scriptVars} | sed $vars > $out/bin/start-sshd
    chmod 755 $out/init $out/activate $out/dry-activate $out/bin/*
    ln -s ${kernel} $out/kernel
    ln -s ${initrd}/initrd $out/initrd
    ln -s ${kernelModules}/lib/modules/${kernelVersion} $out/kernel-modules
    ln -s ${etc} $out/etc
    ln -s ${sw} $out/sw
    echo -n "${kernelParams}" > $out/kernel-params
    echo -n "via-example-${generation}" > $out/nixos-version
    echo -n ${system} > $out/system
    echo -n "systemd" > $out/init-interface-version
    echo -n "${boot}" > $out/bootloader
    ${if layoutFile == null then "" else "cp ${layoutFile} $out/disko.json"}
    mkdir -p $out/specialisation
    echo "${extlinux} ${syslinuxMbr} ${systemdBootEfi}" > $out/extra-dependencies
    cat > $out/boot.json <<EOF
    {"org.nixos.bootspec.v1":{"system":"${system}","init":"$out/init","initrd":"${initrd}/initrd","kernel":"${kernel}","kernelParams":[${concatStringsSep "," (map (p: "\"${p}\"") kernelParamList)}],"label":"nixos-via example (generation ${generation})","toplevel":"$out"}}
    EOF
  '';
in
if elem boot [ "uefi" "bios" "hybrid" ] then toplevel
else throw "mini-system: boot must be \"uefi\", \"bios\" or \"hybrid\", got \"${boot}\""
