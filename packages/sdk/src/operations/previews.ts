import type { ResultAsync } from "neverthrow";
import type { DeployPlan, NixosViaError, Plan, RollbackPlan } from "@nixos-via/core";
import { deploy, type DeployParameters } from "./deploy.js";
import { gc, type GcParameters } from "./gc.js";
import { install, type InstallParameters } from "./install.js";
import { rollback, type RollbackParameters } from "./rollback.js";

/**
 * The plan {@link install} would run, touching nothing: every check a real run makes
 * before its first step, then the whole plan (what `--dry-run` prints, what a preview
 * shows). The twins of deploy, rollback and gc below work the same way.
 *
 * @example
 * ```ts
 * const plan = await previewInstall({ target: "image:web.img", imageSize: "4G", layout: "disks.json", system: "./result" });
 * if (plan.isOk()) process.stdout.write(formatPlan(plan.value));
 * ```
 */
export function previewInstall(parameters: Omit<InstallParameters, "dryRun">): ResultAsync<Plan, NixosViaError> {
  return install({ ...parameters, dryRun: true }).map((r) => r.plan);
}

/**
 * The plan {@link deploy} would run, touching nothing.
 *
 * @example
 * ```ts
 * const plan = await previewDeploy({ target: "ssh://web1", system: "./result" });
 * ```
 */
export function previewDeploy(parameters: Omit<DeployParameters, "dryRun">): ResultAsync<DeployPlan, NixosViaError> {
  return deploy({ ...parameters, dryRun: true }).map((r) => r.plan);
}

/**
 * The plan {@link rollback} would run, touching nothing.
 *
 * @example
 * ```ts
 * const plan = await previewRollback({ target: "ssh://web1" });
 * ```
 */
export function previewRollback(parameters: Omit<RollbackParameters, "dryRun">): ResultAsync<RollbackPlan, NixosViaError> {
  return rollback({ ...parameters, dryRun: true }).map((r) => r.plan);
}

/**
 * The plan {@link gc} would run, touching nothing.
 *
 * @example
 * ```ts
 * const plan = await previewGc({ target: "dir:/srv/roots/web", keep: 3 });
 * ```
 */
export function previewGc(parameters: Omit<GcParameters, "dryRun">): ResultAsync<Plan, NixosViaError> {
  return gc({ ...parameters, dryRun: true }).map((r) => r.plan);
}
