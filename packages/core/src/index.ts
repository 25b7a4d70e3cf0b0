/**
 * The pure core of nixos-via: models (closures, generations), planners (copy, profile,
 * activation, install), the pipeline runner and its events, and the error types. It does
 * no I/O of its own: everything it does to a machine goes through a {@link Target}.
 *
 * @packageDocumentation
 */
export * from "./activation/index.js";
export * from "./closure/index.js";
export * from "./errors/index.js";
export * from "./install/index.js";
export * from "./layout/index.js";
export * from "./pipeline/index.js";
export * from "./target/index.js";
export * from "./deploy/index.js";
export * from "./fleet/index.js";
export * from "./container/index.js";
export * from "./kexec/index.js";
