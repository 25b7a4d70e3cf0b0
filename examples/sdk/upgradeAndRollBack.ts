/**
 * A small program on the nixos-via SDK: install generation 1 of a system, deploy
 * generation 2 over it, look at the generations, and roll back. The same code works on a
 * directory (`dir:/srv/roots/web`) and on a machine over SSH; the test suite runs it on
 * both (test/integration/sdk-example.test.ts).
 */
import { deploy, generations, install, rollback, type ConnectionOptions, type PipelineEvent } from "nixos-via";

export interface Story {
  /** Where generation 1 is installed (dir:…) or where the machine is (ssh://…). */
  readonly installTarget: string;
  /** The same system once installed: dir:… again, or ssh://… of the running machine. */
  readonly systemTarget: string;
  /** ssh:// installs need the root the disks are mounted at. */
  readonly root?: string;
  readonly generation1: string;
  readonly generation2: string;
  readonly connection?: ConnectionOptions;
  readonly log?: (line: string) => void;
}

/** What the story saw, generation by generation. */
export interface StoryReport {
  readonly installed: number;
  readonly deployed: number;
  readonly generations: readonly number[];
  readonly rolledBackTo: number;
}

export async function upgradeAndRollBack(story: Story): Promise<StoryReport> {
  const log = story.log ?? (() => {});
  const onEvent = (e: PipelineEvent) => {
    if (e.type === "step-start") log(`${e.phase}: ${e.description}`);
  };
  const common = { connection: story.connection, onEvent };

  const installed = await install({ ...common, target: story.installTarget, system: story.generation1, ...(story.root ? { root: story.root } : {}) });
  if (installed.isErr()) throw new Error(`install: ${installed.error.message}`);

  const deployed = await deploy({ ...common, target: story.systemTarget, system: story.generation2 });
  if (deployed.isErr()) throw new Error(`deploy: ${deployed.error.message}`);
  if (!deployed.value.succeeded) throw new Error(`deploy did not stick: ${deployed.value.problem?.message}`);

  const list = await generations({ ...common, target: story.systemTarget });
  if (list.isErr()) throw new Error(`generations: ${list.error.message}`);

  const back = await rollback({ ...common, target: story.systemTarget });
  if (back.isErr()) throw new Error(`rollback: ${back.error.message}`);

  return {
    installed: installed.value.generation,
    deployed: deployed.value.generation,
    generations: list.value.map((g) => g.number),
    rolledBackTo: back.value.to,
  };
}
