import { err, ok, type Result } from "neverthrow";
import { enterArgv } from "../activation/enterScript.js";
import { planProfile } from "../activation/planProfile.js";
import { generationLinkName } from "../activation/profilePaths.js";
import { machineRunsSystem, type NixosSystem } from "../closure/NixosSystem.js";
import { TargetUnusableError, UsageError } from "../errors/index.js";
import { copyDeltaSummary, planTransfer, type DeltaOptions } from "../install/planTransfer.js";
import type { Plan, RunStep, Step } from "../pipeline/Step.js";
import type { Target, TargetFacts } from "../target/index.js";
import type { SwitchAction, SwitchStep } from "../pipeline/Step.js";
import { generationBack } from "./generationBack.js";

/** Inputs of {@link planDeploy}. */
export interface PlanDeployParameters {
  readonly system: NixosSystem;
  readonly target: Pick<Target, "uri" | "root" | "capabilities">;
  readonly facts: TargetFacts;
  /** @default "switch" */
  readonly action?: SwitchAction | undefined;
  /** Confirm over a new connection or let the target roll back (`switch`/`test` of a running system). @default true */
  readonly magicRollback?: boolean | undefined;
  /** @default 30 */
  readonly confirmTimeoutS?: number | undefined;
  /** Commands run on the switched system; one failing rolls back. Running systems only. @default [] */
  readonly healthChecks?: readonly string[] | undefined;
  /** @default 60 */
  readonly healthTimeoutS?: number | undefined;
  /** Send paths as deltas against predecessors the target holds. @default auto, with no predecessors known */
  readonly delta?: DeltaOptions | undefined;
}

/** A deploy plan: the whole run, the switch of a running system included (a `switch` step). */
export interface DeployPlan extends Plan {
  readonly switchAction: SwitchAction;
}

/**
 * Plans a deploy: copy what the target lacks, register it, make a new generation (for
 * `switch` and `boot`; `test` and `dry-activate` leave the profile alone, as
 * nixos-rebuild does), then switch. A running target's plan ends with a `switch` step
 * (detached from the connection, confirmed or rolled back: {@link switchDetached}); a
 * stored root (`dir:`) is activated inside itself as nixos-enter does, and its bootloader
 * files updated.
 *
 * @example
 * ```ts
 * const plan = planDeploy({ system, target, facts, action: "switch" });
 * ```
 */
export function planDeploy(parameters: PlanDeployParameters): Result<DeployPlan, TargetUnusableError | UsageError> {
  const { system, target, facts, action = "switch" } = parameters;
  if (!machineRunsSystem(facts.machine, system.system)) {
    return err(new TargetUnusableError(target.uri, `${target.uri} is a ${facts.machine} machine and cannot run this ${system.system} system`));
  }
  const live = target.capabilities.running;
  if (!live && (parameters.healthChecks ?? []).length > 0) {
    return err(new UsageError(`health checks need a running system (ssh://); ${target.uri} is a stored root that runs nothing to check`));
  }
  if (live && !facts.tools.has("nix-store")) {
    return err(new TargetUnusableError(target.uri, `${target.uri} runs no Nix (no nix-store on its PATH): deploy needs a running NixOS; use install for a new machine`));
  }
  const transfer = planTransfer(system, target, facts, parameters.delta);
  if (transfer.isErr()) return err(transfer.error);
  const moveProfile = action === "switch" || action === "boot";
  const profile = planProfile(target.root, system.toplevel, facts);
  const steps: Step[] = [...transfer.value.steps, ...(moveProfile ? profile.steps : [])];
  steps.push(...(live ? [switchStep(parameters, action, previousSystem(facts, system.toplevel, action, moveProfile))] : storedRootActivation(target.root, system.toplevel, action)));
  return ok({
    action: "deploy",
    target: target.uri,
    toplevel: system.toplevel,
    generation: moveProfile ? profile.generation : (facts.currentGeneration ?? 0),
    copy: {
      paths: transfer.value.copy.missing.length,
      bytes: transfer.value.copy.bytes,
      present: transfer.value.copy.present,
      staged: transfer.value.copy.staged,
      ...copyDeltaSummary(transfer.value),
      total: system.closure.paths.length,
    },
    steps,
    cleanup: [],
    switchAction: action,
  });
}

/**
 * What a failed switch returns to. `switch` and `test` go back to the system that runs
 * now, which need not be the profile's: a run cut after its profile step leaves the
 * profile on the new system (the rerun reuses that generation), a `boot` deploy on one
 * that never ran. `boot` activates nothing, so it goes back to what the bootloader would
 * have started, the profile's generation, unless the profile already is on the new
 * system. The new system itself is no way back: when it already runs (a `test` deploy
 * before) the profile's generation is taken; when the profile is on it too (a rerun after
 * a switch that finished, before its health checks said yes), the newest generation
 * before the profile's that holds another system, as the first run would have gone
 * back. With none, there is nothing to go back to, and the outcome says so. The profile
 * goes back to a generation of the system returned to ({@link generationBack}).
 */
function previousSystem(facts: TargetFacts, toplevel: string, action: SwitchAction, moveProfile: boolean): SwitchStep["previous"] {
  const current = facts.generations.find((g) => g.number === facts.currentGeneration)?.toplevel;
  const order = action === "boot" ? [current, facts.runningSystem] : [facts.runningSystem, current];
  const earlier = facts.generations.filter((g) => facts.currentGeneration === undefined || g.number < facts.currentGeneration).map((g) => g.toplevel).reverse();
  const back = [...order, ...earlier].find((t) => t !== undefined && t !== toplevel);
  if (back === undefined) return undefined;
  const generation = moveProfile ? generationBack(facts, back, toplevel) : undefined;
  return { toplevel: back, link: generation === undefined ? undefined : generationLinkName(generation.number) };
}

/** The switch of a running system; magic rollback only where there is something to confirm. */
function switchStep(p: PlanDeployParameters, action: SwitchAction, previous: SwitchStep["previous"]): SwitchStep {
  const magicRollback = (p.magicRollback ?? true) && (action === "switch" || action === "test");
  const confirmTimeoutS = p.confirmTimeoutS ?? 30;
  const healthChecks = p.healthChecks ?? [];
  const healthTimeoutS = p.healthTimeoutS ?? 60;
  return {
    kind: "switch",
    phase: "switch",
    description:
      `switch-to-configuration ${action}, detached from the connection` +
      (magicRollback ? `; confirmed over a new connection within ${confirmTimeoutS}s or rolled back` : "") +
      (healthChecks.length > 0 ? `; health checks (${healthTimeoutS}s each): ${healthChecks.join("; ")}` : ""),
    action,
    toplevel: p.system.toplevel,
    previous,
    magicRollback,
    confirmTimeoutS,
    healthChecks,
    healthTimeoutS,
  };
}

/** A root that is not running: activate it inside itself; `switch`/`boot` also update its bootloader files. */
function storedRootActivation(root: string, toplevel: string, action: SwitchAction): RunStep[] {
  if (action === "dry-activate") {
    return [{ kind: "run", phase: "activate", description: "show what activation would change (dry-activate)", argv: enterArgv(root, undefined, [`${toplevel}/dry-activate`]) }];
  }
  const argv = action === "test" ? ["true"] : ["/run/current-system/bin/switch-to-configuration", "boot"];
  return [
    {
      kind: "run",
      phase: "activate",
      description: action === "test" ? "activate the system inside the root" : "activate the system inside the root and update its bootloader",
      argv: enterArgv(root, `${toplevel}/activate`, argv),
    },
  ];
}
