import { okAsync } from "neverthrow";
import type { Target } from "@nixos-via/core";
import { execLocal } from "./execLocal.js";

/**
 * This machine as a plain target, for checks that run before a target exists and for dry
 * runs, which must not create the mount folder or attach the image a real run would.
 *
 * @example
 * ```ts
 * const planning = hostTarget("image:web.img", "/run/nixos-via-(mount folder)");
 * ```
 */
export function hostTarget(uri: string, root = "/"): Target {
  return { uri, root, capabilities: { root: process.getuid?.() === 0, remote: false, hostNix: true, running: false }, exec: execLocal, close: () => okAsync(undefined) };
}
