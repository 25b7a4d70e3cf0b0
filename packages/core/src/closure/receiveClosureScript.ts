import type { Compression } from "./ClosureSource.js";
import { STAGED_PATH_CHECK } from "./markPathBoundaries.js";
import applyPatches from "./applyPatches.sh";
import receiveScript from "./receive.sh";

/**
 * The receiving end of the copy engine, for every target: a POSIX shell script that
 * needs only `tar` (busybox's will do). Arguments: the root directory, the
 * compression of stdin (`none`, `gzip` or `zstd`), how the step finishes, and zstd's
 * window (log2 bytes) where it is wider than the 128 MiB a `zstd -d` reads unasked.
 *
 * Paths are unpacked into a staging folder inside the store (same filesystem, so the
 * final rename is atomic) and renamed to their final names only after the whole stream
 * was unpacked: a half-copied path is never visible under its final name. Each complete
 * path is marked (`.done/<name>`, written by tar right after the path's last member), so
 * after an interruption the complete paths stay staged and only unmarked leftovers are
 * removed; the probe reports the staged ones and the next run does not send them again.
 * Nothing moves into the store unless the stream's end marker arrived.
 * Files that came as deltas (`.patch/`, see `exportDeltas` of transport-local) are rebuilt
 * from the target's registered predecessor with its own zstd and checked against their
 * SHA-256 before the path can count as complete; a path that does not match is removed
 * and the step fails, so it is never registered.
 * A complete but unregistered path already in the store is replaced: only registered
 * paths count as present.
 */
export const RECEIVE_CLOSURE_SCRIPT: string = STAGED_PATH_CHECK + applyPatches + receiveScript;

/** The widest window (log2 bytes) a `zstd -d` decodes without being told: its default memory limit. */
export const DEFAULT_DECODER_WINDOW_LOG = 27;

/**
 * The argv that runs {@link RECEIVE_CLOSURE_SCRIPT} on a target. `stage` leaves the
 * complete paths staged for a copy step that follows (the delta step before the full one),
 * listed as verified; `after-stage` is that step: it promotes them with its own paths and
 * trusts the list instead of checking each staged path again (~10 forks a path).
 *
 * @example
 * ```ts
 * target.exec(receiveClosureScript("/mnt", "none"), { stdin: tarStream });
 * ```
 */
export function receiveClosureScript(
  root: string,
  compression: Compression,
  finish: "promote" | "stage" | "after-stage" = "promote",
  windowLog?: number,
): string[] {
  const wide = compression === "zstd" && windowLog !== undefined && windowLog > DEFAULT_DECODER_WINDOW_LOG;
  return ["sh", "-c", RECEIVE_CLOSURE_SCRIPT, "nixos-via-receive", root, compression, ...(finish === "promote" && !wide ? [] : [finish]), ...(wide ? [String(windowLog)] : [])];
}

