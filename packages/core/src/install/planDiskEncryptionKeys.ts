import { err, ok, type Result } from "neverthrow";
import { UsageError } from "../errors/index.js";
import { hasControlCharacters, printable } from "../layout/printable.js";
import type { RunStep } from "../pipeline/Step.js";

/** A key or passphrase file for the layout's LUKS devices, sent from this machine (`--disk-encryption-keys`). */
export interface DiskEncryptionKey {
  /** The absolute path the layout reads it from on the target (its `passwordFile` or `keyFile`). */
  readonly remote: string;
  /** Where it comes from, in the user's words (`./luks.key`): plans show it, core never reads it. */
  readonly source: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

/** Where the keys' bytes live on the target while an install runs: a tmpfs of its own. */
export const DISK_KEY_STORE = "/run/nixos-via-keys";

/**
 * Puts a key from stdin on the target and takes keys away again. `put REMOTE NAME BYTES`
 * writes stdin to `DISK_KEY_STORE/NAME` (mode 0600, on a tmpfs mounted there unless one
 * is, so the key never reaches a disk), checks that all BYTES arrived (a cut connection
 * must not leave a short key that LUKS would then be formatted with), and links REMOTE to
 * it. A file at REMOTE that is not that link is the user's and is never replaced.
 * `remove REMOTE NAME…` removes each link that is still this script's, then the tmpfs
 * with every key in it; it does nothing where nothing is left, so it also cleans up after
 * a run that failed halfway.
 */
export const DISK_KEY_SCRIPT = `set -eu
store=${DISK_KEY_STORE}
fail() { echo "nixos-via-keys: $*" >&2; exit 1; }
ours() { [ -L "$1" ] && [ "$(readlink "$1")" = "$store/$2" ]; }
mode=$1
shift
case $mode in
  put)
    remote=$1 key=$store/$2 bytes=$3
    if [ "$remote" != "$key" ] && { [ -e "$remote" ] || [ -L "$remote" ]; } && ! ours "$remote" "$2"; then
      fail "$remote already exists on the target; remove it there or give another path for the key"
    fi
    mkdir -p -m 0700 "$store"
    if ! grep -q "^[^ ]* $store tmpfs " /proc/mounts; then
      mount -t tmpfs -o mode=0700,size=1m,nosuid,nodev,noexec nixos-via-keys "$store"
    fi
    (umask 077 && cat > "$key")
    chmod 0600 "$key"
    got=$(wc -c < "$key")
    if [ "$((got))" -ne "$bytes" ]; then
      rm -f "$key"
      fail "only $((got)) of $bytes bytes of the key for $remote arrived"
    fi
    if [ "$remote" != "$key" ]; then
      dir=\${remote%/*}
      mkdir -p "\${dir:-/}"
      ln -sfn "$key" "$remote"
    fi ;;
  remove)
    while [ $# -ge 2 ]; do
      if ours "$1" "$2"; then rm -f "$1"; fi
      rm -f "$store/$2"
      shift 2
    done
    if grep -q "^[^ ]* $store tmpfs " /proc/mounts; then umount "$store"; fi
    rmdir "$store" 2>/dev/null || : ;;
  *) fail "unknown mode $mode" ;;
esac
`;

/** The steps that bring the keys to the target before the layout and take them away after. */
export interface DiskKeyPlan {
  /** One step per key, phase `keys`; each reads its key as the secret named by the key's `remote`. */
  readonly steps: readonly RunStep[];
  /** The removal, phase `unmount`: the last step of an install, and part of its cleanup. */
  readonly removal: readonly RunStep[];
}

/**
 * Plans sending LUKS key files to the target inside the connection, as nixos-anywhere's
 * `--disk-encryption-keys REMOTE LOCAL` does: each key is a step's secret stdin (never
 * argv, never the plan), lands in a tmpfs with mode 0600 and is linked at REMOTE, where
 * the layout's `passwordFile` or `keyFile` reads it; the removal deletes links and keys.
 * Refuses paths that are not absolute, repeat, lie inside the new system's root (where the
 * layout's mounts would cover them) or that no LUKS device of the layout reads.
 *
 * @example
 * ```ts
 * const keys = planDiskEncryptionKeys([{ remote: "/tmp/secret.key", source: "./secret.key", bytes: 32 }], { root: "/mnt", keyFiles: ["/tmp/secret.key"] });
 * if (keys.isOk()) console.log(keys.value.steps[0]?.description);
 * ```
 */
export function planDiskEncryptionKeys(
  keys: readonly DiskEncryptionKey[],
  { root, keyFiles }: { readonly root: string; readonly keyFiles: readonly string[] },
): Result<DiskKeyPlan, UsageError> {
  const seen = new Set<string>();
  const base = root.replace(/\/+$/, "");
  for (const { remote } of keys) {
    const flag = `--disk-encryption-keys ${printable(remote)}`;
    if (!remote.startsWith("/") || hasControlCharacters(remote) || remote.endsWith("/")) {
      return err(new UsageError(`${flag}: give the key's path on the target as an absolute file path, as the layout names it`));
    }
    if (seen.has(remote)) return err(new UsageError(`${flag} is given twice`));
    seen.add(remote);
    if (base !== "" && (remote === base || remote.startsWith(`${base}/`))) {
      return err(new UsageError(`${flag}: ${remote} is inside ${root}, where the new system's disks get mounted; give a path outside it, e.g. /tmp/disk.key`));
    }
    if (!keyFiles.includes(remote)) {
      const named = keyFiles.length === 0 ? "the layout reads no key files" : `the layout reads ${keyFiles.join(", ")}`;
      return err(new UsageError(`${flag}: no LUKS device of the layout reads ${remote} (${named})`));
    }
  }
  if (keys.length === 0) return ok({ steps: [], removal: [] });
  const name = (i: number): string => `key-${i + 1}`;
  const argv = (mode: string, args: readonly string[]): string[] => ["sh", "-c", DISK_KEY_SCRIPT, "nixos-via-keys", mode, ...args];
  return ok({
    steps: keys.map((key, i) => ({
      kind: "run",
      phase: "keys",
      description: `put the disk encryption key ${key.remote} on the target, in a tmpfs (${key.bytes} bytes from ${key.source})`,
      argv: argv("put", [key.remote, name(i), String(key.bytes)]),
      secretStdin: { name: key.remote, description: `${key.bytes} bytes from ${key.source}` },
    })),
    removal: [
      {
        kind: "run",
        phase: "unmount",
        description: `remove the disk encryption key${keys.length > 1 ? "s" : ""} ${keys.map((k) => k.remote).join(", ")} from the target`,
        argv: argv("remove", keys.flatMap((key, i) => [key.remote, name(i)])),
      },
    ],
  });
}
