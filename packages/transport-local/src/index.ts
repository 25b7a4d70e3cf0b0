/**
 * nixos-via targets on this machine and the local Nix store every copy reads from.
 * - `dir:`, `disk:`, `image:` — {@link dirTransport}, {@link diskTransport},
 *   {@link imageTransport} (and their target factories, e.g. {@link createDirTarget}).
 * - the store — {@link createLocalStore}: read a built system, build a flake, export paths.
 *
 * @packageDocumentation
 */
export { createDirTarget } from "./dir/createDirTarget.js";
export { dirTransport } from "./dir/dirTransport.js";
export { diskTransport } from "./disk/diskTransport.js";
export { imageTransport } from "./image/imageTransport.js";
export { execLocal } from "./exec/execLocal.js";
export { hostTarget } from "./exec/hostTarget.js";
export { buildFlake } from "./store/buildFlake.js";
export { createLocalStore, type LocalStore } from "./store/createLocalStore.js";
export { exportFolder, exportPaths } from "./store/exportPaths.js";
export { readSystem } from "./store/readSystem.js";
export type { BlockDeviceTarget } from "./disk/BlockDeviceTarget.js";
export { createDiskTarget, type DiskTargetOptions } from "./disk/createDiskTarget.js";
export { createImageTarget, type ImageTarget, type ImageTargetOptions } from "./image/createImageTarget.js";
export { enterRoot } from "./dir/enterRoot.js";
export { evalNetwork, type NetworkArgument } from "./store/evalNetwork.js";
export { realiseDerivations } from "./store/realiseDerivations.js";
