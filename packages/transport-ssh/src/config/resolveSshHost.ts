import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import SSHConfig from "ssh-config";
import { ResultAsync } from "neverthrow";
import { SshConfigError } from "../errors.js";

/** Where and as whom to connect, after `~/.ssh/config` was applied. */
export interface SshHost {
  /** The name the user gave (an alias in ~/.ssh/config, or a host name). */
  readonly alias: string;
  /** The host to connect to (`HostName`). */
  readonly hostname: string;
  /** @default 22 */
  readonly port: number;
  /** @default the local user's name */
  readonly user: string;
  /** Identity files from the config, in order, `~` expanded. */
  readonly identityFiles: readonly string[];
  /** `ProxyJump` hops, as given (`[user@]host[:port]`), first hop first. */
  readonly proxyJump: readonly string[];
}

/** What the user said on the command line, which wins over the config file. */
export interface SshHostOverrides {
  readonly user?: string | undefined;
  readonly port?: number | undefined;
  /** `~/.ssh/config` by default; `false` to read none. */
  readonly configFile?: string | false | undefined;
}

function portOf(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) throw new Error(`Port ${text} is not a port number`);
  return port;
}

const expandHome = (p: string): string => (p === "~" ? homedir() : p.startsWith("~/") ? `${homedir()}/${p.slice(2)}` : p);

/**
 * Applies `~/.ssh/config` (Host aliases, HostName, User, Port, IdentityFile, ProxyJump)
 * to a host named on the command line. A missing config file is no error; one that cannot
 * be parsed is an {@link SshConfigError}.
 *
 * @example
 * ```ts
 * const host = await resolveSshHost("web1", { user: "admin" });
 * ```
 */
export function resolveSshHost(alias: string, overrides: SshHostOverrides = {}): ResultAsync<SshHost, SshConfigError> {
  const file = overrides.configFile === undefined ? `${homedir()}/.ssh/config` : overrides.configFile;
  const text = file === false ? Promise.resolve("") : readFile(file, "utf8").catch(() => "");
  return ResultAsync.fromPromise(
    text.then((t): SshHost => {
      const computed = SSHConfig.parse(t).compute(alias) as Record<string, string | string[] | undefined>;
      const one = (k: string): string | undefined => {
        const v = computed[k];
        return Array.isArray(v) ? v[0] : v;
      };
      const many = (k: string): string[] => {
        const v = computed[k];
        return v === undefined ? [] : Array.isArray(v) ? v : [v];
      };
      const jump = one("ProxyJump");
      return {
        alias,
        hostname: one("HostName") ?? alias,
        port: overrides.port ?? portOf(one("Port") ?? "22"),
        user: overrides.user ?? one("User") ?? process.env["USER"] ?? "root",
        identityFiles: many("IdentityFile").map(expandHome),
        proxyJump: jump === undefined || jump === "none" ? [] : jump.split(","),
      };
    }),
    (cause) =>
      new SshConfigError(`cannot parse the SSH config ${String(file)}: ${(cause as Error).message}; fix that line or pass --ssh-config FILE`, { cause }),
  );
}
