import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatRegistration } from "../../src/closure/formatRegistration.js";
import type { StorePathInfo } from "../../src/closure/StorePathInfo.js";
import { TARGET_SHELLS } from "./targetShells.js";

/**
 * A `nix-store` script for PATH that answers from data in `dir`: `--query --requisites P`
 * prints the closure given for P, `--dump-db PATHS` their registration records,
 * `--check-validity --print-invalid PATHS` the paths not in the store, `--gc` nothing,
 * `--version` a version. Every
 * call's arguments are appended, one call a line, to `dir/calls`.
 */
export function fakeNixStore(dir: string, store: readonly StorePathInfo[], closures: Readonly<Record<string, readonly string[]>>): string {
  for (const sub of ["records", "closures"]) mkdirSync(join(dir, sub), { recursive: true });
  for (const info of store) writeFileSync(join(dir, "records", base(info.path)), formatRegistration([info]));
  for (const [path, closure] of Object.entries(closures)) writeFileSync(join(dir, "closures", base(path)), closure.map((p) => `${p}\n`).join(""));
  return `data='${dir}'
echo "$*" >> "$data/calls"
[ "$1" = --store ] && shift 2
case $1 in
  --query) cat "$data/closures/\${3##*/}" ;;
  --dump-db) shift; for p do cat "$data/records/\${p##*/}"; done ;;
  --check-validity) shift 2; for p do [ -e "$data/records/\${p##*/}" ] || echo "$p"; done ;;
  --gc) ;;
  --version) echo 'nix-store (Nix) 2.8.0' ;;
  *) echo "fake nix-store: $*" >&2; exit 2 ;;
esac
`;
}

/** The calls a {@link fakeNixStore} for `dir` was started with, one a start; none yet: []. */
export function fakeNixStoreCalls(dir: string): string[] {
  return existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8").trim().split("\n") : [];
}

const BUSYBOX = TARGET_SHELLS.find((s) => s.id === "busybox")!;

/**
 * True where the real chroot can run {@link rootNixStore}'s program: as root (chroot needs
 * it) with busybox, which this machine kind has statically linked (TESTBED.md).
 */
export const CHROOT_WORKS: boolean = process.getuid?.() === 0 && BUSYBOX.available;

/**
 * Gives `root` a `/nix/var/nix/profiles/system/sw/bin/nix-store` linked as on NixOS
 * (generation, system, system path, Nix package; absolute links inside the root, so only a
 * chroot follows them) to a program: `script`, a body for the root's `/bin/sh` (busybox,
 * with its `cat`), or a `file` as it is; with neither, a link to a Nix package the root does
 * not have. A {@link fakeNixStore} for `root/fake` is rewritten to read `/fake`, where that
 * is inside the chroot.
 */
export function rootNixStore(root: string, program: { readonly script?: string; readonly file?: string }): void {
  const store = (name: string) => join(root, "nix/store", name);
  const profiles = join(root, "nix/var/nix/profiles");
  const path = "88888888888888888888888888888888-system-path";
  const nix = "99999999999999999999999999999999-nix-2.8.0";
  // The generation the root's profile names (the test's own), else a first one.
  if (!lstatSync(join(profiles, "system"), { throwIfNoEntry: false })) {
    mkdirSync(profiles, { recursive: true });
    symlinkSync("/nix/store/77777777777777777777777777777777-nixos-system-web", join(profiles, "system-1-link"));
    symlinkSync("system-1-link", join(profiles, "system"));
  }
  const system = readlinkSync(join(profiles, readlinkSync(join(profiles, "system")))).slice("/nix/store/".length);
  mkdirSync(store(system), { recursive: true });
  symlinkSync(`/nix/store/${path}`, join(store(system), "sw"));
  mkdirSync(join(store(path), "bin"), { recursive: true });
  symlinkSync(`/nix/store/${nix}/bin/nix-store`, join(store(path), "bin/nix-store"));
  const file = program.script === undefined ? program.file : `#!/bin/sh\nPATH=/bin\n${program.script}`;
  if (file === undefined) return;
  mkdirSync(join(store(nix), "bin"), { recursive: true });
  writeFileSync(join(store(nix), "bin/nix-store"), file.replace(`data='${join(root, "fake")}'`, "data='/fake'"), { mode: 0o755 });
  mkdirSync(join(root, "bin"), { recursive: true });
  copyFileSync(BUSYBOX.argv[0], join(root, "bin/sh"));
  // busybox runs the applet its name says.
  symlinkSync("sh", join(root, "bin/cat"));
}

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
