# What stage 1 needs to boot from a disk layout: the file systems, LUKS devices, md
# arrays and LVM volumes that the module `nixos-via layout FILE --nixos-module` printed
# declares, read the way a NixOS system reads that module (fileSystems, swapDevices,
# boot.initrd.luks.devices, boot.swraid.enable, boot.initrd.kernelModules).
# Without a module (layoutModule = ""), nothing here is used and stage 1 searches every
# block device for the init, as it always did.
{ layoutModule, hostLibs, hostFile, runScript }:

let
  inherit (builtins) any attrNames concatStringsSep elem filter head isAttrs isString map
    match pathExists replaceStrings substring stringLength;

  hasPrefix = pre: s: substring 0 (stringLength pre) s == pre;

  module =
    if layoutModule == "" then { }
    else if !(isString layoutModule && hasPrefix "/" layoutModule) then
      throw "mini-system: layoutModule must be an absolute path, got \"${toString layoutModule}\""
    else
      let m = import (/. + layoutModule); in
      if isAttrs m then m
      else throw "mini-system: ${layoutModule} is not an attribute set (what nixos-via layout --nixos-module prints)";

  fileSystems = module.fileSystems or { };
  swapDevices = module.swapDevices or [ ];
  luksDevices = module.boot.initrd.luks.devices or { };
  swraid = module.boot.swraid.enable or false;
  layoutKernelModules = module.boot.initrd.kernelModules or [ ];

  devices = map (m: fileSystems.${m}.device) (attrNames fileSystems)
    ++ map (s: s.device) swapDevices
    ++ map (n: luksDevices.${n}.device) (attrNames luksDevices);
  # /dev/VG/LV: any device under /dev/X/ where X is not one the kernel or udev names.
  isLv = d: let m = match "/dev/([^/]+)/[^/]+" d; in
    m != null && !(elem (head m) [ "disk" "mapper" "md" ]);

  luks = luksDevices != { };
  lvm = any isLv devices;
  md = swraid;
  dm = luks || lvm;

  # fstab escapes spaces (and tabs, backslashes) in its fields as octal, as mount(8) reads it.
  fstabField = s: replaceStrings [ "\\" " " "\t" ] [ "\\134" "\\040" "\\011" ] s;
  fsLine = mp: let fs = fileSystems.${mp}; in
    concatStringsSep " " [
      (fstabField fs.device) (fstabField mp) fs.fsType
      (fstabField (concatStringsSep "," (fs.options or [ "defaults" ]))) "0" "0"
    ];
  swapLine = s: concatStringsSep " " [
    (fstabField s.device) "none" "swap"
    (concatStringsSep "," ([ "sw" ]
      ++ (if s ? discardPolicy then [ "discard" ] else [ ])
      ++ (if s ? priority then [ "pri=${toString s.priority}" ] else [ ])))
    "0" "0"
  ];
  # attrNames is sorted, so a parent mountpoint ("/", "/nix") comes before its children.
  # Swap with randomEncryption needs a fresh dm-crypt mapping at every boot, which this
  # example system does not make: such swap is left out.
  fstab = concatStringsSep "" (map (mp: fsLine mp + "\n") (attrNames fileSystems)
    ++ map (s: swapLine s + "\n") (filter (s: !(s.randomEncryption or false)) swapDevices));

  # crypttab(5): NAME DEVICE KEYFILE OPTIONS. A key file is read inside the initrd if it is
  # there; otherwise (and for "none") stage 1 asks for the passphrase on the console.
  cryptLine = name: let d = luksDevices.${name}; in
    concatStringsSep " " [
      name (fstabField d.device)
      (if d ? keyFile then fstabField d.keyFile else "none")
      (concatStringsSep "," ([ "luks" ]
        ++ (if d.allowDiscards or false then [ "discard" ] else [ ])
        ++ (if d.bypassWorkqueues or false then [ "no-read-workqueue" "no-write-workqueue" ] else [ ])
        ++ (if d ? keyFileSize then [ "keyfile-size=${toString d.keyFileSize}" ] else [ ])
        ++ (if d ? keyFileOffset then [ "keyfile-offset=${toString d.keyFileOffset}" ] else [ ])))
    ];
  crypttab = concatStringsSep "" (map (n: cryptLine n + "\n") (attrNames luksDevices));

  # Kernel modules, as files under lib/modules/<ver>/ (their depends= are checked by the
  # build) and as the names stage 1 loads.
  moduleFiles =
    (if dm then [ "kernel/drivers/md/dm-mod.ko" ] else [ ])
    ++ (if luks then [
      "kernel/drivers/md/dm-crypt.ko" "kernel/crypto/xts.ko" "kernel/crypto/ecb.ko" "kernel/crypto/af_alg.ko"
      "kernel/crypto/algif_skcipher.ko" "kernel/crypto/algif_hash.ko"
    ] else [ ])
    ++ (if md then [
      "kernel/drivers/md/md-mod.ko" "kernel/drivers/md/raid0.ko" "kernel/drivers/md/raid1.ko"
      "kernel/drivers/md/raid10.ko" "kernel/drivers/md/raid456.ko"
      "kernel/crypto/async_tx/async_tx.ko" "kernel/crypto/async_tx/async_memcpy.ko"
      "kernel/crypto/async_tx/async_xor.ko" "kernel/crypto/async_tx/async_pq.ko"
      "kernel/crypto/async_tx/async_raid6_recov.ko"
    ] else [ ]);
  modules =
    (if dm then [ "dm_mod" ] else [ ])
    # aes-xts-plain64, LUKS2's default cipher, is xts over ecb(aes); aes itself is built in.
    ++ (if luks then [ "dm_crypt" "ecb" "xts" "af_alg" "algif_skcipher" "algif_hash" ] else [ ])
    ++ (if md then [ "md_mod" "raid0" "raid1" "raid10" "raid456" ] else [ ])
    ++ layoutKernelModules;

  # The host's programs, run inside the initrd as on Debian: the loader at
  # /lib64/ld-linux-x86-64.so.2 and every library in /lib (its default search path).
  fromHost = path: name:
    if pathExists path then hostFile path name
    else throw "mini-system: the layout needs ${toString path} on this host; run scripts/setup.sh";
  mdadmPath = if pathExists /usr/sbin/mdadm then /usr/sbin/mdadm else ../../.cache/mdadm/sbin/mdadm;
  programs = filter (p: p.wanted) [
    { wanted = luks; name = "cryptsetup"; path = /usr/sbin/cryptsetup; }
    { wanted = lvm; name = "lvm"; path = /usr/sbin/lvm; }
    { wanted = md; name = "mdadm"; path = mdadmPath; }
  ];
  libs = hostLibs "initrd-storage-libs" /lib/x86_64-linux-gnu ([ "ld-linux-x86-64.so.2" "libc.so.6" "libudev.so.1" ]
    ++ (if luks then [
      "libcryptsetup.so.12" "libpopt.so.0" "libuuid.so.1" "libblkid.so.1" "libdevmapper.so.1.02.1"
      "libcrypto.so.3" "libargon2.so.1" "libjson-c.so.5" "libselinux.so.1" "libm.so.6" "libpcre2-8.so.0"
    ] else [ ])
    ++ (if lvm then [
      "libdevmapper-event.so.1.02.1" "libedit.so.2" "libsystemd.so.0" "libblkid.so.1" "libaio.so.1"
      "libselinux.so.1" "libm.so.6" "libdevmapper.so.1.02.1" "libtinfo.so.6" "libbsd.so.0"
      "libcap.so.2" "libgcrypt.so.20" "liblzma.so.5" "libzstd.so.1" "liblz4.so.1" "libpcre2-8.so.0"
      "libmd.so.0" "libgpg-error.so.0"
    ] else [ ]));


  # Arrays are assembled under their own names (/dev/md/NAME), whatever host made them.
  mdadmConf = ''
    HOMEHOST <ignore>
    DEVICE partitions
  '';

  # A tree copied into the initrd's root: sbin/, lib/, lib64/, etc/.
  initrdTree = runScript "initrd-storage" { inherit fstab crypttab mdadmConf; } (''
    mkdir -p $out/sbin $out/lib $out/lib64 $out/etc
    printf '%s' "$fstab" > $out/etc/fstab
    ${if luks then ''printf '%s' "$crypttab" > $out/etc/crypttab'' else ""}
    ${if lvm then ''mkdir -p $out/etc/lvm && cp ${./lvm.conf} $out/etc/lvm/lvm.conf'' else ""}
    ${if md then ''mkdir -p $out/etc/mdadm && printf '%s' "$mdadmConf" > $out/etc/mdadm/mdadm.conf'' else ""}
    ${concatStringsSep "\n" (map (p: "cp ${fromHost p.path p.name} $out/sbin/${p.name}") programs)}
  '' + (if programs == [ ] then "" else ''
    chmod 755 $out/sbin/*
    cp -a ${libs}/. $out/lib/
    chmod -R u+w $out/lib
    ln -s ../lib/ld-linux-x86-64.so.2 $out/lib64/ld-linux-x86-64.so.2
    for p in $out/sbin/*; do
      if $out/lib/ld-linux-x86-64.so.2 --library-path $out/lib --list $p \
           | grep -v -e "$out/lib/" -e 'linux-vdso' -e '^[[:space:]]*/lib64/ld-linux-x86-64.so.2 '; then
        echo "$(basename $p): libraries missing from the initrd (the list in storage.nix is stale)" >&2
        exit 1
      fi
    done
  ''));
in
{
  enabled = layoutModule != "";
  inherit fstab moduleFiles modules initrdTree;
}
