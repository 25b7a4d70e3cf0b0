import { execa } from "execa";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { TransportError, type PathExport } from "@nixos-via/core";

/**
 * Streams store paths out of this machine's store as one GNU tar stream (the copy
 * engine's source for every target). Members are the paths' base names, owned by 0:0,
 * modes and the store's fixed timestamps kept, hard links inside the stream preserved.
 *
 * @example
 * ```ts
 * const { stream, done } = exportPaths("/nix/store", ["/nix/store/…-hello"]);
 * ```
 */
export function exportPaths(storeDir: string, paths: readonly string[], signal?: AbortSignal): PathExport {
  const names = paths.map((p) => p.slice(storeDir.length + 1));
  const tar = execa(
    "tar",
    ["-c", "-f", "-", "--format=gnu", "--numeric-owner", "--owner=0", "--group=0", "-C", storeDir, "--null", "-T", "-"],
    {
      input: names.map((n) => `${n}\0`).join(""),
      buffer: { stdout: false, stderr: true },
      encoding: "buffer",
      reject: false,
      ...(signal ? { cancelSignal: signal } : {}),
    },
  );
  return {
    stream: tar.stdout,
    done: ResultAsync.fromSafePromise(tar).andThen((r) =>
      r.exitCode === 0
        ? okAsync(undefined)
        : errAsync(
            new TransportError(`tar could not read the store paths (exit ${r.exitCode ?? "none"})`, {
              details: Buffer.from(r.stderr).toString("utf8").trim(),
            }),
          ),
    ),
  };
}
