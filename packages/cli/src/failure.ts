import type { NixosViaError } from "@nixos-via/core";
import { ExitCode } from "./exitCodes.js";
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
