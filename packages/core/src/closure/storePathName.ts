/**
 * The name of a store path without its hash: `/nix/store/<32 chars>-hello-2.12` →
 * `hello-2.12`. What stays the same when a mass rebuild changes every hash.
 *
 * @example
 * ```ts
 * storePathName("/nix/store/8jz0k1bd3qp9j0a3cx0x7qwqmb5nq2r2-hello-2.12"); // "hello-2.12"
 * ```
 */
export function storePathName(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.length > 33 && base[32] === "-" ? base.slice(33) : base;
}

/**
 * The package name of a store path name, as Nix's `parseDrvName` splits it: everything
 * before the first `-` followed by a digit (`hello-2.12` → `hello`, `glibc-2.39-52-bin` →
 * `glibc`); a name without a version is its own package name.
 *
 * @example
 * ```ts
 * packageName("python3-3.12.4"); // "python3"
 * ```
 */
export function packageName(name: string): string {
  const m = /-[0-9]/.exec(name);
  return m === null ? name : name.slice(0, m.index);
}
