import type { NixosViaError, Target } from "@nixos-via/core";
import type { ConnectionOptions } from "./connectionOptions.js";
import { ExitCode } from "./exitCodes.js";
import { openSystemTarget } from "./openTarget.js";
import type { Renderer } from "./render/Renderer.js";

/** The exit code an error ends a command with: 2 for usage errors, 1 for the rest. */
export function exitCodeFor(error: NixosViaError): ExitCode {
  return error.code === "USAGE" ? ExitCode.Usage : ExitCode.Failed;
}

/** Reports the error that ends a command and gives its exit code. */
export function failure(renderer: Renderer): (error: NixosViaError) => ExitCode {
  return (error) => {
    renderer.error(error);
    return exitCodeFor(error);
  };
}

/** Opens a dir: or ssh:// target holding a system, runs `work` on it, and always closes it. */
export async function withSystemTarget(
  uri: string,
  options: ConnectionOptions,
  renderer: Renderer,
  work: (target: Target) => Promise<number>,
): Promise<number> {
  const opened = await openSystemTarget(uri, options);
  if (opened.isErr()) return failure(renderer)(opened.error);
  const { target } = opened.value.resolved;
  try {
    return await work(target);
  } finally {
    await target.close();
  }
}
