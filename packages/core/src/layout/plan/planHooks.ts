import type { Phase, RunStep } from "../../pipeline/Step.js";
import type { Hooks, Layout } from "../Layout.js";
import type { LayoutMount } from "../planLayout.js";
import { mountsOf, walkLayout } from "../walkLayout.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";
import { runStep } from "./runStep.js";

/** A node of the layout that may carry hooks, with its JSON path and the device it is. */
export interface HookedNode {
  readonly path: string;
  readonly hooks: Hooks;
  /** As disko's hooks see it in `$device`, when the node has one. */
  readonly device?: string;
}

/**
 * One hook as a step: its shell code run with `sh -c`, named after the node and the hook so
 * `--dry-run` prints the code in full. It runs where the layout's steps run (this machine
 * for disk:/image:, the remote one for ssh://), with the mount root in `$rootMountPoint`
 * and the node's device, when it has one, in `$device`, as disko's hooks see them.
 */
export function hookStep(phase: Phase, node: HookedNode, hook: keyof Hooks, mountRoot: string): RunStep[] {
  const code = node.hooks[hook];
  if (code === undefined) return [];
  const name = `${node.path}.${hook}`;
  const env = { rootMountPoint: mountRoot.replace(/\/+$/, ""), ...(node.device === undefined || node.device.startsWith("@part:") ? {} : { device: node.device }) };
  return [runStep(phase, `run the ${hook} of ${node.path} (shell code from the layout)`, ["sh", "-c", code, name], env)];
}

/** `part` between the node's preCreateHook and postCreateHook. */
export function aroundCreate(node: HookedNode, part: PlannedSteps, mountRoot: string): PlannedSteps {
  const phase = part.steps[0]?.phase ?? "format";
  const before = hookStep(phase, node, "preCreateHook", mountRoot);
  const after = hookStep(phase, node, "postCreateHook", mountRoot);
  if (before.length === 0 && after.length === 0) return part;
  return combinePlanned([planned({ steps: before, tools: ["sh"] }), part, planned({ steps: after })]);
}

/** Every node of the layout with at least one hook: disks, contents, volume groups, md arrays, nodev. */
export function hookedNodes(layout: Layout, devices: Readonly<Record<string, string>>): HookedNode[] {
  const nodes: HookedNode[] = [];
  const add = (path: string, hooks: Hooks, device?: string) => {
    if (Object.keys(hooks).some((k) => k.endsWith("Hook"))) nodes.push({ path, hooks, ...(device === undefined ? {} : { device }) });
  };
  for (const [key, disk] of Object.entries(layout.disk ?? {})) add(`disk.${key}`, disk, devices[key]);
  for (const site of walkLayout(layout, devices)) add(site.path, site.content, site.installDevice);
  for (const [name, vg] of Object.entries(layout.lvm_vg ?? {})) add(`lvm_vg.${name}`, vg);
  for (const [name, md] of Object.entries(layout.mdadm ?? {})) add(`mdadm.${name}`, md, `/dev/md/${name}`);
  for (const [name, fs] of Object.entries(layout.nodev ?? {})) add(`nodev.${name}`, fs);
  return nodes;
}

/**
 * The mount (or unmount) steps with each node's hooks around the mounts it declares; hooks
 * of nodes that mount nothing (a disk, a LUKS device…) open and close the phase.
 *
 * @param order - the mounts in the order their steps come, each with its steps
 */
export function aroundMounts(
  kind: "Mount" | "Unmount",
  layout: Layout,
  nodes: readonly HookedNode[],
  order: readonly { readonly mount: LayoutMount; readonly steps: readonly RunStep[] }[],
  mountRoot: string,
): RunStep[] {
  if (nodes.length === 0) return order.flatMap((o) => o.steps);
  const phase = kind === "Mount" ? "mount" : "unmount";
  const nodeOf = new Map(mountsOf(layout).map((m) => [m.mountpoint, m.node]));
  const mounting = new Set(nodeOf.values());
  const pre = `pre${kind}Hook` as const;
  const post = `post${kind}Hook` as const;
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  const steps: RunStep[] = nodes.filter((n) => !mounting.has(n.path)).flatMap((n) => hookStep(phase, n, pre, mountRoot));
  order.forEach(({ mount, steps: own }, i) => {
    const node = byPath.get(nodeOf.get(mount.mountpoint) ?? "");
    const first = order.findIndex((o) => nodeOf.get(o.mount.mountpoint) === node?.path) === i;
    const last = order.map((o) => nodeOf.get(o.mount.mountpoint)).lastIndexOf(node?.path) === i;
    if (node !== undefined && first) steps.push(...hookStep(phase, node, pre, mountRoot));
    steps.push(...own);
    if (node !== undefined && last) steps.push(...hookStep(phase, node, post, mountRoot));
  });
  steps.push(...nodes.filter((n) => !mounting.has(n.path)).flatMap((n) => hookStep(phase, n, post, mountRoot)));
  return steps;
}
