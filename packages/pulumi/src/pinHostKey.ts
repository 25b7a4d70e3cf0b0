import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { okAsync, ResultAsync } from "neverthrow";
import { parseTargetUri, type ConnectionOptions, type NixosViaError } from "@nixos-via/core";
import { knownHostsName, parseKnownHosts, resolveSshHost } from "@nixos-via/transport-ssh";
import type { NixosHostSsh } from "./NixosHostInputs.js";

/** The connection options of one provider call, with the host key pinned. */
export interface PinnedConnection {
  /** What the SDK's operations take: a known_hosts of this host alone, checked strictly. */
  readonly connection: ConnectionOptions | undefined;
  /** The key the host was trusted with (`type base64`), once a connection was made; none for local targets. */
  pinnedKey(): Promise<string | undefined>;
  /** Removes the known_hosts file of this call. */
  dispose(): Promise<void>;
}

/**
 * `ssh-ed25519 AAAA… comment` → `ssh-ed25519 AAAA…`; undefined for anything that is no
 * public key line (the key blob must be base64 and name the same type inside).
 */
export function normaliseHostKey(line: string | undefined): string | undefined {
  const [type, blob] = (line ?? "").trim().split(/\s+/);
  if (type === undefined || blob === undefined || !/^[A-Za-z0-9+/]+=*$/.test(blob)) return undefined;
  const bytes = Buffer.from(blob, "base64");
  if (bytes.length < 4) return undefined;
  const named = bytes.subarray(4, 4 + bytes.readUInt32BE(0)).toString("latin1");
  return named === type ? `${type} ${blob}` : undefined;
}

/**
 * Pins an ssh:// target's host key for one provider call. The call gets a known_hosts file
 * of its own that holds `hostKey` (given by the user or kept in the state), so any other
 * key is refused; without one, the first key the host presents is trusted and recorded
 * there, and {@link PinnedConnection.pinnedKey} reads it back for the state. The user's
 * ~/.ssh/known_hosts is neither read nor written.
 *
 * @example
 * ```ts
 * const pinned = await pinHostKey("ssh://root@203.0.113.7", state.hostKey, { identityFiles: ["~/.ssh/deploy"] });
 * ```
 */
export function pinHostKey(target: string, hostKey: string | undefined, ssh: NixosHostSsh | undefined): ResultAsync<PinnedConnection, NixosViaError> {
  const spec = parseTargetUri(target);
  if (spec.isErr() || spec.value.kind !== "ssh") {
    return okAsync({ connection: undefined, pinnedKey: async () => undefined, dispose: async () => undefined });
  }
  const { host, user, port } = spec.value;
  return resolveSshHost(host, { user, port, configFile: ssh?.configFile }).andThen((resolved) =>
    ResultAsync.fromSafePromise(
      (async (): Promise<PinnedConnection> => {
        const name = knownHostsName(resolved.hostname, resolved.port);
        const dir = await mkdtemp(join(tmpdir(), "nixos-via-pulumi-"));
        const knownHostsFile = join(dir, "known_hosts");
        const key = normaliseHostKey(hostKey);
        await writeFile(knownHostsFile, key === undefined ? "" : `${name} ${key}\n`, { mode: 0o600 });
        return {
          connection: { identityFiles: ssh?.identityFiles, configFile: ssh?.configFile, knownHostsFile, acceptNewHostKey: key === undefined },
          // The last line recorded for the host: after a reinstall, the new system's key.
          pinnedKey: async () => {
            const entries = parseKnownHosts(await readFile(knownHostsFile, "utf8").catch(() => "")).filter((e) => e.hosts === name && e.marker === undefined);
            const last = entries.at(-1);
            return last === undefined ? key : `${last.keyType} ${last.key}`;
          },
          dispose: () => rm(dir, { recursive: true, force: true }),
        };
      })(),
    ),
  );
}
