import { enter as enterRoot } from "nixos-via";
import { exitCodeFor } from "../failure.js";
import type { Io } from "../Io.js";
import { formatError } from "../render/renderPlain.js";

/** `nixos-via enter dir:PATH [-- CMD…]`: the SDK's {@link enterRoot}; exits with the command's code. */
export async function enter(targetUri: string, argv: readonly string[], io: Io): Promise<number> {
  const code = await enterRoot({ target: targetUri, command: argv });
  if (code.isErr()) {
    io.stderr.write(formatError(code.error));
    return exitCodeFor(code.error);
  }
  return code.value;
}
