import { err, ok, type Result } from "neverthrow";
import { enterArgv } from "../activation/enterScript.js";
import { planProfile } from "../activation/planProfile.js";
import { machineRunsSystem, type NixosSystem } from "../closure/NixosSystem.js";
import { TargetUnusableError } from "../errors/index.js";
import { planTransfer } from "../install/planTransfer.js";
import type { Plan, RunStep, Step } from "../pipeline/Step.js";
import type { Target, TargetFacts } from "../target/index.js";
import type { SwitchAction } from "./switchDetached.js";

/** Inputs of {@link planDeploy}. */
export interface PlanDeployParameters {
  readonly system: NixosSystem;
  readonly target: Pick<Target, "uri" | "root" | "capabilities">;
  readonly facts: TargetFacts;
  /** @default "switch" */
  readonly action?: SwitchAction | undefined;
}

/** A deploy: the plan up to the switch, and how the switch is to run. */
export interface DeployPlan extends Plan {
  readonly switchAction: SwitchAction;
  /** A live system switches detached after the plan; a stored root (dir:) activates inside the plan. */
  readonly detachedSwitch: boolean;
  /** What a rollback returns to. */
  readonly previous?: { readonly toplevel: string; readonly link?: string | undefined } | undefined;
}

/**
 * Plans a deploy: copy what the target lacks, register it, make a new generation (for
 * `switch` and `boot`; `test` and `dry-activate` leave the profile alone, as
 * nixos-rebuild does), then switch. A live target (root `/`) switches detached after the
 * plan ({@link switchDetached}); a stored root (`dir:`) is activated inside itself as
 * nixos-enter does, and its bootloader files updated.
 *
 * @example
 * ```ts
 * const plan = planDeploy({ system, target, facts, action: "switch" });
 * ```
 */
export function planDeploy({ system, target, facts, action = "switch" }: PlanDeployParameters): Result<DeployPlan, TargetUnusableError> {
  if (!machineRunsSystem(facts.machine, system.system)) {
    return err(new TargetUnusableError(target.uri, `${target.uri} is a ${facts.machine} machine and cannot run this ${system.system} system`));
  }
  const live = target.root === "/";
  if (live && !facts.tools.has("nix-store")) {
    return err(new TargetUnusableError(target.uri, `${target.uri} runs no Nix (no nix-store on its PATH): deploy needs a running NixOS; use install for a new machine`));
  }
  const transfer = planTransfer(system, target, facts);
  if (transfer.isErr()) return err(transfer.error);
  const moveProfile = action === "switch" || action === "boot";
  const profile = planProfile(target.root, system.toplevel, facts);
  const current = facts.generations.find((g) => g.number === facts.currentGeneration);
  const steps: Step[] = [...transfer.value.steps, ...(moveProfile ? profile.steps : [])];
  if (!live) steps.push(...storedRootActivation(target.root, system.toplevel, action));
  return ok({
    action: "deploy",
    target: target.uri,
    toplevel: system.toplevel,
    generation: moveProfile ? profile.generation : (facts.currentGeneration ?? 0),
    copy: {
      paths: transfer.value.copy.missing.length,
      bytes: transfer.value.copy.bytes,
      present: transfer.value.copy.present,
      total: system.closure.paths.length,
    },
    steps,
    cleanup: [],
    switchAction: action,
    detachedSwitch: live,
    previous: current === undefined ? undefined : { toplevel: current.toplevel, link: moveProfile ? `system-${current.number}-link` : undefined },
  });
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
