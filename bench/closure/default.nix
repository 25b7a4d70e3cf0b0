# The benchmark closure, built by real Nix without nixpkgs (like examples/mini-system):
# one store path per package of plan.json (made by plan.mjs from this machine's real
# files), references as plan.json says, and a cheap NixOS-shaped toplevel on top whose
# `activate` and `switch-to-configuration` do nothing, whose `sw/bin/nix-store` is the
# host's Nix 2.8 bundled with its libraries (the list shared with examples/mini-system).
#
#   generation = "1": the system; "2": the next generation (4 leaf paths + the toplevel
#   change); rebuild = "1": every package rebuilt (new hashes, same files; only the store
#   paths they mention differ), as after a glibc update; content = "1" (with another
#   rebuild value): an upgrade whose contents really change: in every fifth package
#   (20 %) every tenth file (10 %, at least one) gets new bytes (each byte rotated by one:
#   as compressible as before, nothing left in common with the old file).
{ dir                      # the folder plan.mjs wrote (plan.json, pool/)
, generation ? "1"
, rebuild ? "0"
, content ? "0"
}:

let
  system = "x86_64-linux";
  inherit (builtins) any map concatStringsSep substring stringLength baseNameOf elem
    fromJSON readFile genList length elemAt;
  hasPrefix = pre: s: substring 0 (stringLength pre) s == pre;

  dir' = if builtins.isString dir then /. + dir else dir;
  plan = fromJSON (readFile (dir' + "/plan.json"));

  bb = builtins.path { path = /usr/bin; name = "busybox-static"; filter = p: t: baseNameOf p == "busybox"; };
  sh = "${bb}/busybox";

  runScript = name: attrs: script: derivation ({
    inherit name system;
    builder = sh;
    args = [ "sh" "-e" "-c" ''
      mkdir -p $TMPDIR/bin
      ${sh} --install -s $TMPDIR/bin
      export PATH=$TMPDIR/bin
      ${script}
    '' ];
    PATH = "/path-not-set";
  } // attrs);

  # --- Nix 2.8 from the host, runnable in a chroot (libraries as examples/mini-system) ---
  hostLibs = name: dir: sonames: builtins.path {
    path = dir; inherit name;
    filter = p: t: let b = baseNameOf p; in
      t != "directory" && any (n: b == n || hasPrefix (n + ".") b) sonames;
  };
  inherit (import ../../examples/mini-system/host-nix-libs.nix { inherit hostLibs; }) nixSysLibs nixOwnLibs;
  nixBin = builtins.path { path = /usr/bin/nix; name = "nix"; };
  libPath = concatStringsSep ":" [ "${nixSysLibs}" "${nixOwnLibs}" ];
  nix = runScript "nix-2.8-host" { inherit rebuild; } ''
    mkdir -p $out/bin $out/libexec
    ld=${nixSysLibs}/ld-linux-x86-64.so.2
    cp ${nixBin} $out/libexec/nix
    chmod 755 $out/libexec/nix
    for n in nix nix-store nix-env; do
      printf '#!%s sh\nexec %s --library-path %s --argv0 %s %s "$@"\n' \
        ${sh} $ld ${libPath} "$n" $out/libexec/nix > $out/bin/$n
      chmod 755 $out/bin/$n
    done
  '';

  # --- the packages ---
  pkgs = genList (i:
    let
      p = elemAt plan.packages i;
      changed = generation != "1" && elem i plan.changing;
      newBytes = content == "1" && i - (i / 5) * 5 == 2;
      src = builtins.path { path = dir' + "/pool/${p.id}"; name = "src-${p.id}"; };
    in runScript p.name {
      inherit rebuild;
      deps = map (d: elemAt pkgs d) p.deps;
      version = if changed then generation else "1";
    } ''
      mkdir -p $out
      cp -a ${src}/. $out/
      chmod -R u+w $out
      ${if newBytes then ''
        find $out -type f | sort | awk 'NR % 10 == 1' | while IFS= read -r f; do
          tr '\000-\377' '\001-\377\000' < "$f" > "$f.new" && cat "$f.new" > "$f" && rm "$f.new"
        done
      '' else ""}
      mkdir -p $out/nix-support
      # what real store paths carry: their own path and their dependencies' (RPATHs,
      # shebangs, wrappers)
      echo "$out" > $out/nix-support/self
      for d in $deps; do echo $d; done > $out/nix-support/propagated-build-inputs
      ${if changed then ''echo "generation $version" > $out/nix-support/generation'' else ""}
    '') (length plan.packages);

  sw = runScript "system-path" { inherit rebuild; } ''
    mkdir -p $out/bin
    ln -s ${nix}/bin/* $out/bin/
    ln -s ${sh} $out/bin/sh
  '';

  noop = ''#!${sh} sh
exit 0
'';
in
runScript "nixos-system-bench-${generation}${if rebuild == "1" then "-rebuilt" else ""}" {
  inherit rebuild noop;
  passAsFile = [ "noop" "pkgs" ];
  pkgs = pkgs;
} ''
  mkdir -p $out/bin
  # activate does only what switch-to-configuration needs: /run/current-system
  printf '#!%s sh\n%s mkdir -p /run\n%s ln -sfn %s /run/current-system\n' ${sh} ${sh} ${sh} $out > $out/activate
  cp $noopPath $out/init
  cp $noopPath $out/dry-activate
  cp $noopPath $out/bin/switch-to-configuration
  chmod 755 $out/activate $out/init $out/dry-activate $out/bin/switch-to-configuration
  ln -s ${sw} $out/sw
  echo -n ${system} > $out/system
  echo -n "bench-${generation}" > $out/nixos-version
  echo -n "systemd" > $out/init-interface-version
  echo -n "" > $out/kernel-params
  tr ' ' '\n' < $pkgsPath > $out/extra-dependencies
''
