/**
 * Whether the slow end-to-end tests run: `NIXOS_VIA_SLOW_TESTS=1 bash scripts/test.sh`.
 * Every CI run runs the rest; a slow test covers a variant (another file system, another
 * memory size) of a path that an every-run test already boots. Gate one with
 * `describe.runIf(slowTests)(…)` and say in its header why it is slow-only.
 */
export const slowTests = process.env.NIXOS_VIA_SLOW_TESTS === "1";
