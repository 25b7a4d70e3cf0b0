import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatRegistration } from "../../src/closure/formatRegistration.js";
import type { StorePathInfo } from "../../src/closure/StorePathInfo.js";

/**
 * A `nix-store` script for PATH that answers from data in `dir`: `--query --requisites P`
 * prints the closure given for P, `--dump-db PATHS` their registration records,
 * `--check-validity --print-invalid PATHS` the paths not in the store, `--gc` nothing. Every
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
  *) echo "fake nix-store: $*" >&2; exit 2 ;;
esac
`;
}

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
