import type { Content, Layout } from "../Layout.js";
import { orderDevices } from "../orderDevices.js";
import { walkLayout, type ContentSite } from "../walkLayout.js";
import { planContent } from "./planContent.js";
import type { WrapCreate } from "./planPartitions.js";
import { planMdArrays } from "./planMdArrays.js";
import { combinePlanned, type PlannedSteps } from "./PlannedSteps.js";
import { planVolumeGroups } from "./planVolumeGroups.js";

/**
 * Phase format, in the order the devices come to exist: the contents on the disks, then
 * each volume group and md array in disko's order (see `orderDevices`: after whatever holds
 * its members), created from its members and followed by what is on it.
 */
export function planFormat(layout: Layout, devices: Readonly<Record<string, string>>, wrap: WrapCreate = (_, part) => part): PlannedSteps {
  const sites = walkLayout(layout, devices);
  const content = (site: ContentSite) => (site.parent === "disk" && (site.content.type === "gpt" || site.content.type === "table") ? planContent(site) : wrap(site.path, planContent(site)));
  const onDisks = sites.filter((s) => s.path.startsWith("disk."));
  const members = (belongsTo: (content: Content) => string | undefined) => devicesByName(sites, belongsTo);
  const pvs = members((c) => (c.type === "lvm_pv" ? c.vg : undefined));
  const mds = members((c) => (c.type === "mdraid" ? c.name : undefined));
  return combinePlanned([
    ...onDisks.map(content),
    ...orderDevices(layout).order.flatMap(({ kind, name }) => {
      const on = sites.filter((s) => s.path.startsWith(`${kind}.${name}.`));
      const created =
        kind === "mdadm"
          ? planMdArrays({ [name]: layout.mdadm?.[name] ?? { type: "mdadm" } }, mds)
          : planVolumeGroups({ [name]: layout.lvm_vg?.[name] ?? { type: "lvm_vg" } }, pvs);
      return [wrap(`${kind}.${name}`, created), ...on.map(content)];
    }),
  ]);
}

/** The sites' devices grouped by what they belong to (an md array, a volume group), in creation order. */
function devicesByName(sites: readonly ContentSite[], belongsTo: (content: Content) => string | undefined): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const site of sites) {
    const name = belongsTo(site.content);
    if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), site.installDevice]);
  }
  return byName;
}
