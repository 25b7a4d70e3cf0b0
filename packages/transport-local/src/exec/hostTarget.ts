import { okAsync } from "neverthrow";
import type { Target } from "@nixos-via/core";
import { execLocal } from "./execLocal.js";

/** This machine as a plain target rooted at `/`, for checks that run before a target exists. */
export function hostTarget(uri: string): Target {
  return { uri, root: "/", capabilities: { root: process.getuid?.() === 0, hostNix: false }, exec: execLocal, close: () => okAsync(undefined) };
}
