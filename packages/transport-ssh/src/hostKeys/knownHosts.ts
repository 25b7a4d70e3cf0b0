import { createHash, createHmac } from "node:crypto";

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  readonly marker: "@revoked" | "@cert-authority" | undefined;
  readonly hosts: string;
  readonly keyType: string;
  /** The key blob, base64. */
  readonly key: string;
}

/** The name known_hosts uses for a host: `host`, or `[host]:port` when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * OpenSSH's fingerprint of a key blob: `SHA256:` and the unpadded base64 of its hash.
 *
 * @example
 * ```ts
 * fingerprint(blob) // "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
 * ```
 */
export function fingerprint(blob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named inside a key blob (its first SSH string). */
export function keyTypeOf(blob: Uint8Array): string {
  const view = Buffer.from(blob);
  const len = view.readUInt32BE(0);
  return view.subarray(4, 4 + len).toString("latin1");
}

/** Parses known_hosts text; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0] === "@revoked" || fields[0] === "@cert-authority" ? fields.shift() : undefined;
    const [hosts, keyType, key] = fields;
    if (hosts === undefined || keyType === undefined || key === undefined) continue;
    entries.push({ marker: marker as KnownHostEntry["marker"], hosts, keyType, key });
  }
  return entries;
}

/** Whether a known_hosts host field (patterns, negations, or a hashed name) names `name`. */
export function hostsFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (salt === undefined || hash === undefined) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  let matched = false;
  for (const pattern of field.split(",")) {
    const negated = pattern.startsWith("!");
    if (globMatches(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|\\[\]]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(name);
}

/** What known_hosts says about a key a host presented. */
export type HostKeyVerdict = "known" | "unknown" | "mismatch" | "revoked";

/**
 * Judges a presented key against known_hosts entries as OpenSSH does: a revoked key is
 * refused; a recorded identical key is known; a host with recorded keys of the same
 * type but none identical is a mismatch; otherwise the key is unknown.
 */
export function judgeHostKey(entries: readonly KnownHostEntry[], name: string, blob: Uint8Array): HostKeyVerdict {
  const key = Buffer.from(blob).toString("base64");
  const type = keyTypeOf(blob);
  if (entries.some((e) => e.marker === "@revoked" && e.key === key)) return "revoked";
  const forHost = entries.filter((e) => e.marker === undefined && hostsFieldMatches(e.hosts, name));
  if (forHost.some((e) => e.key === key)) return "known";
  return forHost.some((e) => e.keyType === type) ? "mismatch" : "unknown";
}

/**
 * The host key types to ask the server for first: the type of the key expected (after a
 * reinstall, the new system's key read before the reboot), then those recorded for the
 * host. Asked in known_hosts order only, a host reinstalled with new keys of every type
 * would offer the new key of the first recorded type, which is then a mismatch.
 */
export function hostKeyTypesToAsk(entries: readonly KnownHostEntry[], name: string, expected?: Uint8Array): string[] {
  const recorded = entries.filter((e) => e.marker === undefined && hostsFieldMatches(e.hosts, name)).map((e) => e.keyType);
  return [...new Set([...(expected === undefined ? [] : [keyTypeOf(expected)]), ...recorded])];
}

/** The known_hosts line recording a key for a host. */
export function knownHostsLine(name: string, blob: Uint8Array): string {
  return `${name} ${keyTypeOf(blob)} ${Buffer.from(blob).toString("base64")}`;
}
