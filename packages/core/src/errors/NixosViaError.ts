import type { ErrorCode } from "./ErrorCode.js";

/**
 * The base of every error nixos-via returns. Errors are values: public functions return
 * them inside neverthrow `Result`s instead of throwing.
 *
 * - `code` is stable and meant for machines (`--json` output, `switch` statements): one of
 *   {@link ErrorCode}; each operation of the SDK names the codes it can end with.
 * - `message` is one line a user can act on: what is wrong and what to do.
 * - `details` holds longer context (a command's output, a list of problems), never secrets.
 * - `cause` is the underlying error, when there is one.
 *
 * @example
 * ```ts
 * const result = await readSystem("/nix/store/…-nixos-system-web");
 * if (result.isErr()) console.error(`${result.error.code}: ${result.error.message}`);
 * ```
 */
export class NixosViaError extends Error {
  readonly code: ErrorCode;
  readonly details: string | undefined;

  constructor(code: ErrorCode, message: string, options: { details?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  /** A plain object for NDJSON output. */
  toJSON(): { name: string; code: ErrorCode; message: string; details?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}
