import { formatBytes, type PipelineEvent } from "@nixos-via/core";
import type { Io } from "../Io.js";
import type { Renderer } from "./Renderer.js";
import { counter } from "./counter.js";
import { formatError } from "./renderPlain.js";

/**
 * The live display on a terminal: finished steps scroll up with a check mark, the current
 * one stays on the last line with, while copying, paths and bytes done, rate and ETA.
 */
export function renderProgress(io: Io): Renderer {
  const out = io.stderr;
  let status = "";
  let copyStart = 0;
  let current: Extract<PipelineEvent, { type: "step-start" }> | undefined;
  const draw = (line: string): void => {
    const width = (io.stderr as { columns?: number }).columns ?? 100;
    status = line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
    out.write(`\r\x1b[2K${status}`);
  };
  const above = (line: string): void => {
    out.write(`\r\x1b[2K${line}\n`);
    if (status !== "") out.write(status);
  };
  return {
    event(event) {
      switch (event.type) {
        case "step-start":
          current = event;
          copyStart = Date.now();
          draw(`${counter(event)} ${event.description}…`);
          break;
        case "output":
          above(`    ${event.line}`);
          break;
        case "progress": {
          const seconds = (Date.now() - copyStart) / 1000;
          const rate = seconds > 0 ? event.bytesDone / seconds : 0;
          const eta = rate > 0 ? Math.max(0, (event.bytesTotal - event.bytesDone) / rate) : undefined;
          draw(
            `[${(current?.index ?? 0) + 1}/${current?.total ?? 0}] copy: ${event.pathsDone}/${event.pathsTotal} paths, ` +
              `${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)}, ${formatBytes(rate)}/s` +
              (eta === undefined ? "" : `, ETA ${Math.ceil(eta)}s`),
          );
          break;
        }
        case "step-end":
          status = "";
          above(`${event.ok ? "✓" : "✗"} ${current?.description ?? ""} (${(event.durationMs / 1000).toFixed(1)}s)`);
          break;
        default:
          break;
      }
    },
    info: (message) => above(message),
    error: (error) => {
      status = "";
      out.write(`\r\x1b[2K${formatError(error)}`);
    },
    result: (line) => {
      status = "";
      out.write("\r\x1b[2K");
      io.stdout.write(`${line}\n`);
    },
  };
}
