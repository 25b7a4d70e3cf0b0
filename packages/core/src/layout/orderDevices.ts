import type { Content, Layout } from "./Layout.js";
import { walkLayout } from "./walkLayout.js";

/** A device the layout builds from others: a volume group or an md array. */
export interface BuiltDevice {
  readonly kind: "lvm_vg" | "mdadm";
  readonly name: string;
}

/** What a content node makes its device a member of. */
function memberOf(content: Content): BuiltDevice | undefined {
  if (content.type === "lvm_pv") return { kind: "lvm_vg", name: content.vg };
  if (content.type === "mdraid") return { kind: "mdadm", name: content.name };
  return undefined;
}

/**
 * Volume groups and md arrays in the order disko creates them: its device list (volume
 * groups by name, then arrays by name) sorted so that each comes after every group or array
 * holding one of its members, as disko's toposort does. So an md array made of logical
 * volumes follows its volume group, and a volume group on md arrays follows them. Those
 * caught in a cycle are returned in `cycle`.
 */
export function orderDevices(layout: Layout): { readonly order: readonly BuiltDevice[]; readonly cycle: readonly BuiltDevice[] } {
  const all: BuiltDevice[] = [
    ...Object.keys(layout.lvm_vg ?? {}).sort().map((name) => ({ kind: "lvm_vg" as const, name })),
    ...Object.keys(layout.mdadm ?? {}).sort().map((name) => ({ kind: "mdadm" as const, name })),
  ];
  const id = (d: BuiltDevice) => `${d.kind}.${d.name}`;
  const needs = new Map<string, Set<string>>(all.map((d) => [id(d), new Set<string>()]));
  for (const site of walkLayout(layout)) {
    const into = memberOf(site.content);
    const holder = site.path.split(".").slice(0, 2).join(".");
    if (into === undefined || site.path.startsWith("disk.")) continue;
    needs.get(id(into))?.add(holder);
  }
  const order: BuiltDevice[] = [];
  const done = new Set<string>();
  let left = all;
  while (left.length > 0) {
    const next = left.find((d) => [...(needs.get(id(d)) ?? [])].every((n) => done.has(n) || !needs.has(n)));
    if (next === undefined) return { order, cycle: left };
    order.push(next);
    done.add(id(next));
    left = left.filter((d) => d !== next);
  }
  return { order, cycle: [] };
}
