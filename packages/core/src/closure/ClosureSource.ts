import type { ResultAsync } from "neverthrow";
import type { NixosViaError } from "../errors/index.js";

/** A running export of store paths: the bytes, and how the export ended. */
export interface PathExport {
  /** A tar stream (GNU format) whose members are the store paths' base names. */
  readonly stream: AsyncIterable<Uint8Array>;
  /** Resolves when the exporter has finished; errs if it failed. */
  readonly done: ResultAsync<void, NixosViaError>;
}

/**
 * Where every copy reads from: the operator's store. One copy engine for every target:
 * this stream is what fills a local directory, a mounted disk, or crosses SSH.
 */
export interface ClosureSource {
  /** Streams the given store paths, in the given order. */
  exportPaths(paths: readonly string[], signal?: AbortSignal): PathExport;
}
