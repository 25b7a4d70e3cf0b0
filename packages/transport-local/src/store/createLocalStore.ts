import type { ClosureSource } from "@nixos-via/core";
import { buildFlake } from "./buildFlake.js";
import { exportFolder, exportPaths } from "./exportPaths.js";
import { readPathInfos } from "./readPathInfos.js";
import { readSystem } from "./readSystem.js";

/** This machine's Nix store: where systems are read and built, and every copy's source. */
export interface LocalStore extends ClosureSource {
  readonly storeDir: string;
  readonly readSystem: typeof readSystem;
  readonly buildFlake: typeof buildFlake;
  readonly readPathInfos: typeof readPathInfos;
}

/**
 * The operator's store, read through the local Nix.
 *
 * @example
 * ```ts
 * const store = createLocalStore();
 * const system = await store.readSystem("/nix/store/…-nixos-system-web");
 * ```
 */
export function createLocalStore(): LocalStore {
  const storeDir = "/nix/store";
  return {
    storeDir,
    readSystem,
    buildFlake,
    readPathInfos,
    exportPaths: (paths, options) => exportPaths(storeDir, paths, options),
    exportFolder,
  };
}
