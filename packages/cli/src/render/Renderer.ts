import type { NixosViaError, PipelineEvent } from "@nixos-via/core";

/** How a command shows what happens: a progress display, plain lines, or NDJSON. */
export interface Renderer {
  /** One pipeline event. */
  event(event: PipelineEvent): void;
  /** A message that is not an event (e.g. "building .#web"). */
  info(message: string): void;
  /** The error that ends the command. */
  error(error: NixosViaError): void;
  /** The result, as a line for people or a final JSON object for machines. */
  result(line: string, data: Record<string, unknown>): void;
}
