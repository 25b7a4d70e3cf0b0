import { parseTargetUri, UsageError, type Transport } from "@nixos-via/core";
import { err, ok } from "neverthrow";
import { createSshTarget } from "./createSshTarget.js";

/** What an `ssh://[user@]host[:port]` URI says. */
export interface SshSpec {
  readonly uri: string;
  readonly host: string;
  readonly user?: string | undefined;
  readonly port?: number | undefined;
}

/**
 * The `ssh://[user@]host[:port]` transport: a remote machine, in its rescue system or
 * installer (install, with a root such as /mnt) or running NixOS (its root is `/`).
 */
export const sshTransport: Transport<SshSpec> = {
  scheme: "ssh",
  usage: "ssh://[user@]host[:port]",
  holdsSystem: true,
  installOptions: ["layout", "wipe", "disks", "root", "reboot", "waitTimeout", "copyHostKeys", "extraFiles", "kexec"],
  layoutDisks: "named",
  parse: (uri) => {
    const spec = parseTargetUri(uri);
    return spec.isOk() && spec.value.kind === "ssh" ? ok(spec.value) : err(spec.isErr() ? spec.error : new UsageError(`"${uri}" is not an SSH target`));
  },
  open: (spec, options) =>
    createSshTarget(spec.host, {
      user: spec.user,
      port: spec.port,
      identityFiles: options.connection?.identityFiles,
      knownHostsFile: options.connection?.knownHostsFile,
      acceptNewHostKey: options.connection?.acceptNewHostKey ?? false,
      configFile: options.connection?.configFile,
      askSudoPassword: options.connection?.askSudoPassword,
      root: options.root ?? "/",
    }).map((target) => ({
      target,
      device: options.wipe?.length === 1 ? options.wipe[0] : undefined,
      discard: () => target.close(),
    })),
};
