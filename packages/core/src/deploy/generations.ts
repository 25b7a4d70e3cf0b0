import { parseGenerationLink, profilePaths } from "../activation/profilePaths.js";
import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import { parseRegistration } from "../closure/parseRegistration.js";
import { ProbeError, type NixosViaError } from "../errors/index.js";
import type { RunStep } from "../pipeline/Step.js";
import { nixStoreEnv, SELECT_NIX_STORE } from "../target/selectNixStore.js";
import type { Target } from "../target/Target.js";
import gcScript from "./gc.sh";
import generationsScript from "./generations.sh";

/** One generation of a target's system profile, as `nixos-via generations` shows it. */
export interface GenerationInfo {
  readonly number: number;
  /** When the generation's link was made. */
  readonly date: Date;
  readonly toplevel: string;
  /** Sum of the NAR sizes of its closure. */
  readonly closureBytes: number;
  readonly current: boolean;
}

/** Lists the generations with their dates and closures (registration format, any Nix). */
export const GENERATIONS_SCRIPT: string = SELECT_NIX_STORE + generationsScript;

/** Makes the profiles folder a GC root, then collects garbage with the target's Nix. Argument: the root. */
const GC_SCRIPT = SELECT_NIX_STORE + gcScript;

/**
 * Reads the generations of the target's system profile.
 *
 * @example
 * ```ts
 * const generations = await listGenerations(target);
 * ```
 */
export function listGenerations(target: Target): ResultAsync<GenerationInfo[], NixosViaError> {
  return target.exec(["sh", "-c", GENERATIONS_SCRIPT, "nixos-via-generations", target.root], { env: nixStoreEnv(target) }).andThen((r) =>
    r.exitCode === 0 ? parseGenerations(r.stdout) : errAsync(new ProbeError(`listing the generations of ${target.uri} failed`, { details: r.stderr })),
  );
}

/** Reads {@link GENERATIONS_SCRIPT}'s output. Exported for tests. */
export function parseGenerations(stdout: string): Result<GenerationInfo[], ProbeError> {
  const lines = stdout.split("\n");
  const current = parseGenerationLink((lines.find((l) => l.startsWith("current ")) ?? "").slice("current ".length));
  const out: GenerationInfo[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith("error=")) return err(new ProbeError(lines[i]!.slice(6)));
    const m = /^generation system-(\d+)-link (\d+) (\/\S+)$/.exec(lines[i]!);
    if (m === null) continue;
    const end = lines.indexOf("end", i);
    const records = parseRegistration(lines.slice(i + 1, end < 0 ? undefined : end).join("\n"));
    if (records.isErr()) return err(new ProbeError(records.error.message));
    out.push({
      number: Number(m[1]),
      date: new Date(Number(m[2]) * 1000),
      toplevel: m[3]!,
      closureBytes: records.value.reduce((n, p) => n + p.narSize, 0),
      current: Number(m[1]) === current,
    });
    i = end < 0 ? lines.length : end;
  }
  return ok(out.sort((a, b) => a.number - b.number));
}

/** Which generations `gc` removes: never the current one. */
export interface GcPolicy {
  /** Keep N generations: the current one, then the newest others. */
  readonly keep?: number | undefined;
  /** Remove generations older than this many days (never the current one). */
  readonly olderThanDays?: number | undefined;
  /** @default new Date() */
  readonly now?: Date | undefined;
}

/**
 * Plans `gc`: remove the generations the policy drops, then collect garbage with the
 * target's own Nix. The profiles folder is made a GC root first, so no remaining
 * generation can be collected.
 *
 * @example
 * ```ts
 * const { remove, steps } = planGc(target, generations, { keep: 3 });
 * ```
 */
export function planGc(
  target: Pick<Target, "root" | "capabilities">,
  generations: readonly GenerationInfo[],
  policy: GcPolicy,
): { remove: GenerationInfo[]; steps: RunStep[] } {
  const { root } = target;
  const now = (policy.now ?? new Date()).getTime();
  // The current generation always stays and counts first towards --keep.
  const others = [...generations].filter((g) => !g.current).sort((a, b) => b.number - a.number);
  const keepOthers = policy.keep === undefined ? Infinity : Math.max(0, policy.keep - (generations.some((g) => g.current) ? 1 : 0));
  const remove = others.filter((g, i) => {
    if (i >= keepOthers) return true;
    if (policy.olderThanDays !== undefined && now - g.date.getTime() > policy.olderThanDays * 86_400_000) return true;
    return false;
  });
  const paths = profilePaths(root);
  const steps: RunStep[] = remove.map((g) => ({
    kind: "run",
    phase: "profile",
    description: `remove generation ${g.number}`,
    argv: ["rm", "-f", paths.link(g.number)],
  }));
  steps.push({
    kind: "run",
    phase: "profile",
    description: "collect garbage with the target's Nix",
    argv: ["sh", "-c", GC_SCRIPT, "nixos-via-gc", root],
    env: { USER: "root", ...nixStoreEnv(target) },
  });
  return { remove, steps };
}
