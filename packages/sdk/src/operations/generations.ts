import type { ResultAsync } from "neverthrow";
import { listGenerations, type GenerationInfo, type Target } from "@nixos-via/core";
import type { GenerationsError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";
import { withSystemTarget, type SystemTargetOptions } from "./withSystemTarget.js";
import { requireSystemProfile } from "./requireSystemProfile.js";

/** Options of {@link generations}. */
export interface GenerationsParameters extends SystemTargetOptions {
  readonly target: string | Target;
}

/**
 * The generations of a target's system profile: number, date, toplevel, closure size,
 * and which one is current.
 *
 * @example
 * ```ts
 * const list = await generations({ target: "dir:/srv/roots/web" });
 * ```
 */
export function generations(parameters: GenerationsParameters): ResultAsync<GenerationInfo[], GenerationsError> {
  return withErrorCodes(withSystemTarget(parameters.target, parameters, (target) => requireSystemProfile(target).andThen(listGenerations)));
}
