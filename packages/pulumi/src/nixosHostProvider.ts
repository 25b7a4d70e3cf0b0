import { readlink } from "node:fs/promises";
import type { dynamic } from "@pulumi/pulumi";
import { ResultAsync } from "neverthrow";
import type { NixosViaError, PipelineEvent, Target } from "@nixos-via/core";
import { createLocalStore } from "@nixos-via/transport-local";
import { createTransportRegistry, deploy, install, previewDeploy, previewInstall, resolveSystem, type TransportRegistry } from "nixos-via";
import { describeHostChange, hostChange, type HostChange } from "./HostChange.js";
import { checkInputs } from "./checkInputs.js";
import type { NixosHostInputs, NixosHostOutcome, NixosHostOutputs } from "./NixosHostInputs.js";
import { normaliseHostKey, pinHostKey, type PinnedConnection } from "./pinHostKey.js";
import { readHost, type HostFacts } from "./readHost.js";
import { isKnown } from "./unknownValue.js";

/** Options of {@link createNixosHostProvider}. */
export interface NixosHostProviderOptions {
  /** Where previews, progress and the delete notice go. @default lines on stderr, which Pulumi shows */
  readonly log?: ((line: string) => void) | undefined;
  /** Where target URIs are looked up. @default dir:, disk:, image: and ssh:// */
  readonly registry?: TransportRegistry | undefined;
}

/** The provider of {@link NixosHost}: Pulumi's dynamic-provider methods, each one required, plus the preview. */
export interface NixosHostProvider extends dynamic.ResourceProvider<NixosHostInputs, NixosHostOutputs> {
  check(olds: NixosHostInputs, news: NixosHostInputs): Promise<dynamic.CheckResult<NixosHostInputs>>;
  create(inputs: NixosHostInputs): Promise<dynamic.CreateResult<NixosHostOutputs>>;
  diff(id: string, olds: NixosHostOutputs, news: NixosHostInputs): Promise<dynamic.DiffResult>;
  read(id: string, props?: NixosHostOutputs): Promise<dynamic.ReadResult<NixosHostOutputs>>;
  update(id: string, olds: NixosHostOutputs, news: NixosHostInputs): Promise<dynamic.UpdateResult<NixosHostOutputs>>;
  delete(id: string, props: NixosHostOutputs): Promise<void>;
  /** What an update to `news` would do to the machine, read from it; nothing is touched. */
  preview(news: NixosHostInputs, hostKey?: string): Promise<HostChange>;
}

/**
 * The NixosHost provider over the SDK's operations: `create` installs when the machine is
 * not NixOS yet and deploys otherwise; `diff` reads what the machine runs (so a change made
 * outside Pulumi shows) and logs what an update would send and how it switches; `update`
 * deploys with the safe switch and fails when the machine rolled back; `read` refreshes
 * what it runs; `delete` leaves the machine as it is and says so. SSH host keys are strict:
 * the given `hostKey`, or the one pinned on first contact and kept in the state.
 *
 * @example
 * ```ts
 * const provider = createNixosHostProvider({ log: (l) => console.log(l) });
 * const { id, outs } = await provider.create({ target: "dir:/srv/roots/web", system: "./result" });
 * ```
 */
export function createNixosHostProvider(options: NixosHostProviderOptions = {}): NixosHostProvider {
  const log = options.log ?? ((line: string) => void process.stderr.write(`nixos-via: ${line}\n`));
  const registry = options.registry ?? createTransportRegistry();
  const store = createLocalStore();
  const onEvent = (uri: string) => (e: PipelineEvent) => {
    if (e.type === "step-start") log(`${uri}: ${e.description}`);
    else if (e.type === "note") log(`${uri}: ${e.message}`);
  };

  const toplevelOf = (system: NixosHostInputs["system"]): Promise<string> => unwrap(resolveSystem(store, system).map((s) => s.toplevel));

  /** Pins the host key, opens the target, reads what it runs, runs `work`, closes and cleans up. */
  async function withHost<T>(inputs: NixosHostInputs, hostKey: string | undefined, work: (host: { target: Target; facts: HostFacts; pinned: PinnedConnection }) => Promise<T>): Promise<T> {
    const pinned = await unwrap(pinHostKey(inputs.target, hostKey, inputs.ssh));
    try {
      const opened = await unwrap(registry.open(inputs.target, { purpose: "system", root: sshRoot(inputs) ?? "/", connection: pinned.connection }));
      try {
        const facts = await unwrap(readHost(opened.target));
        return await work({ target: opened.target, facts, pinned });
      } finally {
        await opened.target.close();
      }
    } finally {
      await pinned.dispose();
    }
  }

  /** Brings the machine to `inputs.system`: installs if it is not NixOS yet, else deploys; then reads what it runs. */
  async function converge(inputs: NixosHostInputs, hostKey: string | undefined): Promise<NixosHostOutputs> {
    const toplevel = await toplevelOf(inputs.system);
    const done = await withHost(inputs, hostKey, async ({ target, facts, pinned }): Promise<{ outcome: NixosHostOutcome; hostKey: string | undefined }> => {
      if (!facts.nixos) {
        const report = await unwrap(
          install({
            target: inputs.target,
            system: toplevel,
            layout: inputs.install?.layout,
            wipe: inputs.install?.wipe,
            disks: inputs.install?.disks,
            copyHostKeys: inputs.install?.copyHostKeys,
            extraFiles: inputs.install?.extraFiles,
            waitTimeout: inputs.install?.waitTimeout,
            kexec: inputs.install?.method === "kexec" ? true : undefined,
            root: sshRoot(inputs),
            connection: pinned.connection,
            onEvent: onEvent(inputs.target),
            registry,
          }),
        );
        return { outcome: "installed", hostKey: normaliseHostKey(report.hostKey) ?? (await pinned.pinnedKey()) };
      }
      if (facts.toplevel === toplevel) return { outcome: "unchanged", hostKey: await pinned.pinnedKey() };
      const report = await unwrap(deploy({ ...deployOptions(inputs), target, system: toplevel, onEvent: onEvent(inputs.target) }));
      // A switch that did not stick: the machine is back on what it ran, and the update fails.
      if (!report.succeeded) throw report.problem ?? new Error(`${inputs.target}: the deploy ended ${report.outcome}`);
      return { outcome: report.outcome === "activated" ? "activated" : report.outcome === "confirmed" ? "confirmed" : "done", hostKey: await pinned.pinnedKey() };
    });
    // Read back over a new connection, with the key the state will keep: what it runs now.
    return withHost(inputs, done.hostKey, async ({ facts }) => outputs(inputs, facts, done.hostKey, done.outcome));
  }

  /** The preview's line for `news`; a machine that cannot be read yet (still booting) is said so, not an error: create tells. */
  const previewLine = (news: NixosHostInputs, hostKey: string | undefined): Promise<string> =>
    provider.preview(news, hostKey).then(describeHostChange, (e: unknown) => `${news.target}: cannot read what it runs yet: ${e instanceof Error ? e.message : String(e)}`);

  const provider: NixosHostProvider = {
    check: async (olds, news) => {
      const failures = checkInputs(news, registry);
      if (failures.length > 0) return { inputs: news, failures };
      // The engine calls no diff for a resource it creates: check is where its preview reads the machine.
      if (olds.target === undefined && isKnown(news)) log(await previewLine(news, normaliseHostKey(news.hostKey)));
      return { inputs: news };
    },

    create: async (inputs) => {
      const outs = await converge(inputs, normaliseHostKey(inputs.hostKey));
      return { id: idOf(inputs), outs };
    },

    diff: async (_id, olds, news) => {
      if (!isKnown(news)) return { changes: true };
      const replaces = (["target", "root"] as const).filter((k) => (k === "root" ? (olds.root ?? "/") !== (news.root ?? "/") : olds.target !== news.target));
      if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
      const newKey = normaliseHostKey(news.hostKey);
      const change = await provider.preview(news, newKey ?? olds.hostKey);
      log(describeHostChange(change));
      return { changes: change.kind !== "none" || (newKey !== undefined && newKey !== olds.hostKey) };
    },

    update: async (_id, olds, news) => ({ outs: await converge(news, normaliseHostKey(news.hostKey) ?? olds.hostKey) }),

    read: async (id, props) => {
      if (props === undefined) throw new Error(`${id}: a NixosHost is read with its state (import is not supported)`);
      return withHost(props, props.hostKey, async ({ facts }) => ({ id, props: outputs(props, facts, props.hostKey, props.lastOutcome) }));
    },

    delete: async (id, props) => {
      log(`${id}: left as it is: deleting a NixosHost removes it from the stack only; the machine keeps running ${props.toplevel || "what it runs"} (generation ${props.generation})`);
    },

    preview: async (news, hostKey) => {
      const toplevel = await toplevelOf(news.system);
      return withHost(news, hostKey, async ({ target, facts, pinned }) => {
        if (!facts.nixos) {
          const plan = await unwrap(
            previewInstall({ target: news.target, system: toplevel, layout: news.install?.layout, wipe: news.install?.wipe, disks: news.install?.disks, kexec: news.install?.method === "kexec" ? true : undefined, root: sshRoot(news), connection: pinned.connection, registry }),
          );
          return hostChange("install", plan, undefined, false);
        }
        if (facts.toplevel === toplevel) {
          return { kind: "none", target: news.target, from: toplevel, to: toplevel, generation: facts.generation, paths: 0, bytes: 0, activation: target.capabilities.running ? "switch" : "activate", kernelChanges: false, steps: [] };
        }
        const plan = await unwrap(previewDeploy({ ...deployOptions(news), target, system: toplevel }));
        return hostChange("deploy", plan, facts.toplevel, await kernelChanges(target, facts.toplevel, toplevel));
      });
    },
  };
  return provider;
}

/** The provider {@link NixosHost} runs. */
export const nixosHostProvider: NixosHostProvider = createNixosHostProvider();

function idOf(inputs: NixosHostInputs): string {
  const root = sshRoot(inputs);
  return root === undefined ? inputs.target : `${inputs.target}#${root}`;
}

/** The root of the system over SSH when it is not the running one. */
function sshRoot(inputs: NixosHostInputs): string | undefined {
  return inputs.target.startsWith("ssh://") && inputs.root !== undefined && inputs.root !== "/" ? inputs.root : undefined;
}

function deployOptions(inputs: NixosHostInputs) {
  return { action: inputs.action, magicRollback: inputs.magicRollback, confirmTimeout: inputs.confirmTimeout, healthChecks: inputs.healthChecks };
}

function outputs(inputs: NixosHostInputs, facts: HostFacts, hostKey: string | undefined, outcome: NixosHostOutcome): NixosHostOutputs {
  const state = { ...inputs, toplevel: facts.nixos ? facts.toplevel : "", generation: facts.nixos ? facts.generation : 0, lastOutcome: outcome };
  return hostKey === undefined ? state : { ...state, hostKey };
}

/** Whether the kernel or initrd differ between the system the machine runs and the new one. */
async function kernelChanges(target: Target, from: string, to: string): Promise<boolean> {
  const prefix = target.root === "/" ? "" : target.root.replace(/\/+$/, "");
  const running = await target.exec(["readlink", `${prefix}${from}/kernel`, `${prefix}${from}/initrd`]);
  if (running.isErr() || running.value.exitCode !== 0) return false;
  const wanted = await Promise.all([readlink(`${to}/kernel`), readlink(`${to}/initrd`)]).catch(() => undefined);
  return wanted !== undefined && running.value.stdout.trim() !== wanted.join("\n");
}

/** A Pulumi method fails by throwing: the SDK's error (code, one-line message) as it is. */
async function unwrap<T>(result: ResultAsync<T, NixosViaError>): Promise<T> {
  const r = await result;
  if (r.isErr()) throw r.error;
  return r.value;
}
