import type { ResultAsync } from "neverthrow";
import type { NixosViaError } from "../errors/index.js";
import type { DeltaPath } from "./planDeltas.js";

/** A running export of store paths: the bytes, and how the export ended. */
export interface PathExport {
  /**
   * A tar stream (GNU format) whose members are the store paths' base names, each path
   * followed by its `.done/<name>` marker (`markPathBoundaries`), compressed as asked.
   */
  readonly stream: AsyncIterable<Uint8Array>;
  /** Bytes of tar read so far, before compression: what progress is measured in. */
  readonly tarBytes: () => number;
  /** Stops the export (the receiver ended early); `done` then errs. */
  readonly cancel: () => void;
  /** Resolves when the exporter has finished; errs if it failed. */
  readonly done: ResultAsync<void, NixosViaError>;
  /** The compression levels the stream went through so far, in order, where the compressor changes levels to fit the link. */
  readonly compressionLevels?: () => readonly number[];
}

/**
 * Where every copy reads from: the operator's store. One copy engine for every target:
 * this stream is what fills a local directory, a mounted disk, or crosses SSH.
 */
export interface ClosureSource {
  /** Streams the given store paths, in the given order. */
  exportPaths(paths: readonly string[], options?: ExportOptions): PathExport;
  /**
   * Streams the contents of a folder on the operator's machine as a tar stream whose
   * members are owned by 0:0 with their modes kept (`--extra-files`).
   */
  exportFolder(folder: string, options?: ExportOptions): PathExport;
}

/** How the copy engine compresses what crosses to the target. */
export type Compression = "none" | "gzip" | "zstd";

/** Options of {@link ClosureSource.exportPaths}. */
export interface ExportOptions {
  /** @default "none" */
  readonly compression?: Compression;
  /**
   * zstd's long-distance window as log2 of its bytes (24: 16 MiB … 29: 512 MiB): what repeats
   * across store paths within it is sent once; the receiver's `zstd -d` holds the window in
   * memory. A window over 27 (128 MiB) is read only by a `zstd -d` told of it: give the
   * receiver the same window (`receiveClosureScript`'s `windowLog`). The sender may use a
   * narrower one where its own memory is short. @default 24
   */
  readonly windowLog?: number;
  /**
   * Paths to send as deltas against their predecessor (each `path` among the exported
   * ones): files equal to the predecessor's become hard links to it, files that differ a
   * zstd `--patch-from` delta with its SHA-256, the rest go in full. @default none
   */
  readonly deltas?: readonly DeltaPath[];
  readonly signal?: AbortSignal;
}
