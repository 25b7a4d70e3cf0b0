import type { Io } from "../Io.js";
import type { Renderer } from "./Renderer.js";
import { renderJson } from "./renderJson.js";
import { renderPlain } from "./renderPlain.js";
import { renderProgress } from "./renderProgress.js";

/** NDJSON with `--json`; a live display when stderr is a terminal; plain lines otherwise. */
export type { Renderer };

export function createRenderer(io: Io, options: { json: boolean }): Renderer {
  if (options.json) return renderJson(io);
  return io.stderr.isTTY ? renderProgress(io) : renderPlain(io);
}
