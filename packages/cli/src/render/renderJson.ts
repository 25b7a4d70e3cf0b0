import type { Io } from "../Io.js";
import type { Renderer } from "./Renderer.js";
import { formatError } from "./renderPlain.js";

/** `--json`: one JSON object per line on stdout, nothing else there; the error line goes to stderr too. */
export function renderJson(io: Io): Renderer {
  const write = (value: unknown): void => {
    io.stdout.write(`${JSON.stringify(value)}\n`);
  };
  return {
    event: (event) => write(event),
    info: (message) => write({ type: "info", message }),
    error: (error) => {
      write({ type: "error", error });
      io.stderr.write(formatError(error));
    },
    result: (_line, data) => write({ type: "result", ...data }),
  };
}
