import type { Command } from "commander";
import type { ConnectionOptions as SdkConnection } from "nixos-via";
import { askPassword } from "./askPassword.js";

/** Options every command reaching a target over SSH accepts. */
export interface ConnectionOptions {
  /** @default [] */
  readonly identity: readonly string[];
  readonly knownHosts?: string | undefined;
  readonly acceptNewHostKey?: boolean | undefined;
  /** A file, or `false` from `--no-ssh-config`: the SDK's `connection.configFile`. */
  readonly sshConfig?: string | false | undefined;
  readonly sudoPasswordStdin?: boolean | undefined;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds the SSH options to a command. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option("-i, --identity <file>", "SSH private key (repeatable)", collect, [])
    .option("--known-hosts <file>", "SSH known_hosts file (default ~/.ssh/known_hosts)")
    .option("--accept-new-host-key", "trust and record a host key seen for the first time (a changed key is always refused)")
    .option("--ssh-config <file>", "SSH config file (default ~/.ssh/config)")
    .option("--no-ssh-config", "read no SSH config file (the SDK's connection.configFile: false)")
    .option("--sudo-password-stdin", "read the sudo password from the first line of stdin instead of the terminal");
}

export { collect };

/** The SDK's connection options from the flags; the sudo prompt names the host. */
export function toConnection(targetUri: string, options: ConnectionOptions): SdkConnection {
  const host = /^ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)/.exec(targetUri)?.[1]?.replace(/^\[(.*)\]$/, "$1") ?? targetUri;
  return {
    identityFiles: options.identity,
    knownHostsFile: options.knownHosts,
    acceptNewHostKey: options.acceptNewHostKey ?? false,
    configFile: options.sshConfig,
    askSudoPassword: () => askPassword(`[sudo] password on ${host}: `, options.sudoPasswordStdin ?? false),
  };
}
