import type { ResultAsync } from "neverthrow";
import type { ErrorCode, NixosViaError } from "@nixos-via/core";

/**
 * An error an operation ends with: a {@link NixosViaError} whose `code` is one of the
 * operation's codes, so a `switch` on it is checked for exhaustiveness.
 *
 * @example
 * ```ts
 * const r = await install({ target: "dir:/srv/roots/web", system: "./result" });
 * if (r.isErr() && r.error.code === "LAYOUT_INVALID") console.error(r.error.details);
 * ```
 */
export type OperationError<Code extends ErrorCode> = NixosViaError & { readonly code: Code };

/**
 * Narrows what an operation's pipeline ends with to the operation's codes, taken from its
 * declared return type. Core's functions return the wide {@link NixosViaError}; which codes
 * they can really end with is listed once per operation (`InstallErrorCode`, …): this is
 * the one place those lists are trusted. Nothing changes at run time.
 */
export function withErrorCodes<Code extends ErrorCode, T>(run: ResultAsync<T, NixosViaError>): ResultAsync<T, OperationError<Code>> {
  return run as ResultAsync<T, OperationError<Code>>;
}
