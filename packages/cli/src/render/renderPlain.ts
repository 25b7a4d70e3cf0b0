import { formatBytes, type NixosViaError } from "@nixos-via/core";
import type { Io } from "../Io.js";
import type { Renderer } from "./Renderer.js";
import { counter } from "./counter.js";

/** How often plain output reports copy progress: logs want a trace, not a flood. */
const PROGRESS_EVERY_MS = 5000;

/** Plain lines for logs and pipes: one per step, the commands' output indented below. */
export function renderPlain(io: Io): Renderer {
  let lastProgress = 0;
  return {
    event(event) {
      switch (event.type) {
        case "step-start":
          io.stderr.write(`${counter(event)} ${event.phase}: ${event.description}\n`);
          break;
        case "output":
          io.stderr.write(`    ${event.line}\n`);
          break;
        case "progress": {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_EVERY_MS && event.bytesDone < event.bytesTotal) break;
          lastProgress = now;
          io.stderr.write(
            `    ${event.pathsDone}/${event.pathsTotal} paths, ${formatBytes(event.bytesDone)} of ${formatBytes(event.bytesTotal)}\n`,
          );
          break;
        }
        default:
          break;
      }
    },
    info: (message) => io.stderr.write(`${message}\n`),
    error: (error) => io.stderr.write(formatError(error)),
    result: (line) => io.stdout.write(`${line}\n`),
  };
}

/** One line that says what is wrong; a failed command's output follows, indented. */
export function formatError(error: NixosViaError): string {
  const details = error.details?.trim();
  return `nixos-via: error: ${error.message}\n${details ? `${details.split("\n").map((l) => `    ${l}`).join("\n")}\n` : ""}`;
}
