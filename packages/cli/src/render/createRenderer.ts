import { formatClosureDiff } from "@nixos-via/core";
import type { Io } from "../Io.js";
import type { Renderer } from "./Renderer.js";
import { renderJson } from "./renderJson.js";
import { renderPlain } from "./renderPlain.js";
import { renderProgress } from "./renderProgress.js";

export type { Renderer };

/**
 * NDJSON with `--json`; a live display when stderr is a terminal; plain lines otherwise.
 * Notes print as info lines and a deploy's diff as text on stderr (with `--json`: an event
 * with the counts), whichever the display.
 */
export function createRenderer(io: Io, options: { json: boolean }): Renderer {
  const inner = options.json ? renderJson(io) : io.stderr.isTTY ? renderProgress(io) : renderPlain(io);
  return {
    ...inner,
    event(event) {
      if (event.type === "note") inner.info(event.message);
      else if (event.type !== "diff") inner.event(event);
      else if (options.json) io.stdout.write(`${JSON.stringify({ type: "diff", diff: { ...event.diff, added: event.diff.added.length, removed: event.diff.removed.length } })}\n`);
      else io.stderr.write(formatClosureDiff(event.diff));
    },
  };
}
