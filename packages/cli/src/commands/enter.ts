import { parseTargetUri, UsageError } from "@nixos-via/core";
import { createDirTarget, enterRoot } from "@nixos-via/transport-local";
import { ExitCode } from "../exitCodes.js";
import type { Io } from "../Io.js";
import { formatError } from "../render/renderPlain.js";

/** `nixos-via enter dir:PATH [-- CMD…]`: a shell or a command inside the root, as nixos-enter gives. */
export async function enter(targetUri: string, argv: readonly string[], io: Io): Promise<number> {
  const spec = parseTargetUri(targetUri);
  if (spec.isErr()) {
    io.stderr.write(formatError(spec.error));
    return ExitCode.Usage;
  }
  if (spec.value.kind !== "dir") {
    io.stderr.write(formatError(new UsageError(`enter works on dir: roots; for ssh:// use ssh itself`)));
    return ExitCode.Usage;
  }
  const target = await createDirTarget(spec.value.path);
  if (target.isErr()) {
    io.stderr.write(formatError(target.error));
    return ExitCode.Failed;
  }
  const code = await enterRoot(target.value.root, argv);
  if (code.isErr()) {
    io.stderr.write(formatError(code.error));
    return ExitCode.Failed;
  }
  return code.value;
}
