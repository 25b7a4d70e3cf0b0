import type { ContainerTargetOptions } from "nixos-via";
import { toConnection, type ConnectionOptions } from "../connectionOptions.js";
import type { Io } from "../Io.js";
import { shellQuote } from "@nixos-via/core";

/** Options every container command takes. */
export interface ContainerOptions extends ConnectionOptions {
  /** For ssh://: the container's root on that host. */
  readonly root?: string | undefined;
  readonly json?: boolean | undefined;
}

/** Where the SDK finds the container: the target, `--root`, the SSH options. */
export function containerTarget(targetUri: string, options: ContainerOptions): ContainerTargetOptions {
  return { target: targetUri, root: options.root, connection: toConnection(targetUri, options) };
}

/** A dry run's output: the command that would run on the host, then the script's text once. */
export function printContainerCommand(io: Io, targetUri: string, command: readonly string[], json: boolean | undefined): void {
  if (json) {
    io.stdout.write(`${JSON.stringify({ type: "plan", dryRun: true, target: targetUri, command })}\n`);
    return;
  }
  const [, , script, ...args] = command;
  io.stdout.write(`on ${targetUri}: sh -c "$NIXOS_VIA_CONTAINER" ${shellQuote(args)}\n\nNIXOS_VIA_CONTAINER:\n${script ?? ""}`);
}
