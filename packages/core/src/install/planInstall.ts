import { err, ok, type Result } from "neverthrow";
import { enterArgv, planInstallActivation, planProfile } from "../activation/index.js";
import { formatRegistration, planCopy, receiveClosureScript, type NixosSystem } from "../closure/index.js";
import { machineRunsSystem } from "../closure/NixosSystem.js";
import { TargetUnusableError } from "../errors/index.js";
import type { Plan, Step } from "../pipeline/Step.js";
import type { Target, TargetFacts } from "../target/index.js";

/** Inputs of {@link planInstall}: what to install, where, and what the probe found there. */
export interface PlanInstallParameters {
  readonly system: NixosSystem;
  readonly target: Pick<Target, "uri" | "root" | "capabilities">;
  readonly facts: TargetFacts;
}

/** Why an install cannot be planned. */
export type PlanInstallErrorType = TargetUnusableError;

/**
 * Plans an install into the target's root, as `nixos-install` does it: copy the missing
 * store paths (reference order, one stream), register them with the system's own
 * `nix-store` inside the root, point the system profile at a new generation, then
 * activate and install the bootloader. Pure: the same inputs always give the same plan.
 *
 * @example
 * ```ts
 * const plan = planInstall({ system, target, facts });
 * if (plan.isOk()) console.log(formatPlan(plan.value));
 * ```
 */
export function planInstall({ system, target, facts }: PlanInstallParameters): Result<Plan, PlanInstallErrorType> {
  if (!machineRunsSystem(facts.machine, system.system)) {
    return err(
      new TargetUnusableError(
        target.uri,
        `${target.uri} is a ${facts.machine} machine and cannot run this ${system.system} system`,
      ),
    );
  }
  const missingTools = ["tar", "unshare", "chroot", "mount"].filter((t) => !facts.tools.has(t));
  if (missingTools.length > 0) {
    return err(new TargetUnusableError(target.uri, `${target.uri} lacks ${missingTools.join(", ")}; install them there first`));
  }
  const register = registerCommand(system, target);
  if (register === undefined) {
    return err(
      new TargetUnusableError(
        target.uri,
        `cannot register store paths on ${target.uri}: the system's closure has no nix-store and the target has no Nix`,
      ),
    );
  }

  const copy = planCopy(system.closure, facts.registered);
  const profile = planProfile(target.root, system.toplevel, facts);
  const steps: Step[] = [];
  if (copy.missing.length > 0) {
    steps.push({
      kind: "copy-closure",
      phase: "copy",
      description: `copy ${copy.missing.length} store paths`,
      paths: copy.missing,
      bytes: copy.bytes,
      receiver: receiveClosureScript(target.root, "none"),
    });
    steps.push({
      kind: "run",
      phase: "register",
      description: `register ${copy.missing.length} store paths in the target's Nix database`,
      argv: register,
      // Nix asks for the user's name, and before activation the root has no /etc/passwd.
      env: { USER: "root", NIX_CONFIG: "build-users-group =" },
      stdin: formatRegistration(copy.missing),
    });
  }
  steps.push(...profile.steps, ...planInstallActivation(target.root, system.toplevel));

  return ok({
    action: "install",
    target: target.uri,
    toplevel: system.toplevel,
    generation: profile.generation,
    copy: {
      paths: copy.missing.length,
      bytes: copy.bytes,
      present: copy.present,
      total: system.closure.paths.length,
    },
    steps,
  });
}

/**
 * The system's own nix-store, run inside the root, writes a database with the schema that
 * system expects; the target's Nix is the fallback for closures without one.
 */
function registerCommand(system: NixosSystem, target: PlanInstallParameters["target"]): string[] | undefined {
  if (system.nixStore !== undefined) return enterArgv(target.root, undefined, [system.nixStore, "--load-db"]);
  if (target.capabilities.hostNix) return ["nix-store", "--store", `local?root=${target.root}`, "--load-db"];
  return undefined;
}
