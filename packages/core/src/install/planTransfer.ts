import { err, ok, type Result } from "neverthrow";
import { enterArgv } from "../activation/enterScript.js";
import { formatRegistration, planCopy, receiveClosureScript, type Compression, type CopyPlan, type NixosSystem } from "../closure/index.js";
import { TargetUnusableError } from "../errors/index.js";
import type { Step } from "../pipeline/Step.js";
import type { Target, TargetFacts } from "../target/index.js";

/** The copy and registration of a closure, shared by installs and deploys. */
export interface TransferPlan {
  readonly copy: CopyPlan;
  readonly steps: readonly Step[];
}

/**
 * Plans moving a system's closure onto a target: one compressed stream of the paths it
 * has neither registered nor staged, then one registration of everything unregistered,
 * with the Nix whose database schema the target expects.
 */
export function planTransfer(
  system: NixosSystem,
  target: Pick<Target, "uri" | "root" | "capabilities">,
  facts: TargetFacts,
): Result<TransferPlan, TargetUnusableError> {
  const register = registerCommand(system, target, facts);
  if (register === undefined) {
    return err(
      new TargetUnusableError(target.uri, `cannot register store paths on ${target.uri}: the system's closure has no nix-store and the target has no Nix`),
    );
  }
  // Paths an interrupted copy left complete on the target need registering, not sending.
  const copy = planCopy(system.closure, facts.registered, facts.staged);
  const unregistered = system.closure.paths.filter((p) => !facts.registered.has(p.path));
  if (unregistered.length === 0) return ok({ copy, steps: [] });
  const compression = chooseCompression(target, facts);
  return ok({
    copy,
    steps: [
      {
        kind: "copy-closure",
        phase: "copy",
        description: `copy ${copy.missing.length} store paths` + (facts.staged.size > 0 ? ` (${facts.staged.size} already staged by an earlier run)` : ""),
        paths: copy.missing,
        bytes: copy.bytes,
        compression,
        receiver: receiveClosureScript(target.root, compression),
      },
      {
        kind: "run",
        phase: "register",
        description: `register ${unregistered.length} store paths in the target's Nix database`,
        argv: register,
        // Nix asks for the user's name, and before activation a new root has no /etc/passwd.
        env: { USER: "root", NIX_CONFIG: "build-users-group =" },
        stdin: formatRegistration(unregistered),
      },
    ],
  });
}

/** Compress what crosses a network, with the best the target can decompress. */
function chooseCompression(target: Pick<Target, "capabilities">, facts: TargetFacts): Compression {
  if (!target.capabilities.remote) return "none";
  if (facts.tools.has("zstd")) return "zstd";
  return facts.tools.has("gzip") ? "gzip" : "none";
}

/**
 * A tree on this machine (`dir:`, a mounted `disk:` or `image:`) is data, not code: this
 * machine's Nix registers into it. A running system registers with its own Nix (the
 * database is its). A root being installed on another machine registers with the new
 * system's own nix-store inside the root, so the database gets the schema that system
 * expects; the target's Nix is the fallback.
 */
function registerCommand(system: NixosSystem, target: Pick<Target, "root" | "capabilities">, facts: TargetFacts): string[] | undefined {
  if (target.capabilities.hostNix) return ["nix-store", "--store", `local?root=${target.root}`, "--load-db"];
  if (target.capabilities.running && facts.tools.has("nix-store")) return ["nix-store", "--load-db"];
  if (system.nixStore !== undefined) {
    return target.capabilities.running ? [system.nixStore, "--load-db"] : enterArgv(target.root, undefined, [system.nixStore, "--load-db"]);
  }
  if (facts.tools.has("nix-store")) return ["nix-store", "--store", `local?root=${target.root}`, "--load-db"];
  return undefined;
}
