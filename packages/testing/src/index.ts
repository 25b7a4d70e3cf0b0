/**
 * The conformance suite every nixos-via transport passes, for vitest: argv of any
 * characters, exit codes, env, 64 MiB streamed each way, aborts, consistent capability
 * flags, reconnecting (and refusing a changed host key), and, given a hook, a reboot. A
 * transport written outside this repository runs it against its own targets
 * ({@link describeTargetConformance}). `vitest` is a peer dependency.
 *
 * @packageDocumentation
 */
export { describeTargetConformance } from "./describeTargetConformance.js";
export type { ConformanceSubject, RebootHook, TargetConformanceOptions } from "./TargetConformanceOptions.js";
