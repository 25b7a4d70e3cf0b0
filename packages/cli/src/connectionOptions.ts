import type { Command } from "commander";

/** Options every command reaching a target over SSH accepts. */
export interface ConnectionOptions {
  /** @default [] */
  readonly identity: readonly string[];
  readonly knownHosts?: string | undefined;
  readonly acceptNewHostKey?: boolean | undefined;
  readonly sshConfig?: string | undefined;
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
    .option("--sudo-password-stdin", "read the sudo password from the first line of stdin instead of the terminal");
}

export { collect };
