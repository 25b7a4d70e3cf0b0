import type { Content, Layout } from "../Layout.js";
import { walkLayout, type ContentSite } from "../walkLayout.js";
import { planContent } from "./planContent.js";
import { planMdArrays } from "./planMdArrays.js";
import { combinePlanned, type PlannedSteps } from "./PlannedSteps.js";
import { planVolumeGroups } from "./planVolumeGroups.js";

/**
 * Phase format, in the order the devices come to exist: the contents on the disks, then
 * the md arrays made of disk members and what is on them, then the volume groups made of
 * the physical volumes created so far and what is on their logical volumes.
 */
export function planFormat(layout: Layout, devices: Readonly<Record<string, string>>): PlannedSteps {
  const sites = walkLayout(layout, devices);
  const onDisks = sites.filter((s) => s.path.startsWith("disk."));
  const onArrays = sites.filter((s) => s.path.startsWith("mdadm."));
  const onVolumes = sites.filter((s) => s.path.startsWith("lvm_vg."));
  return combinePlanned([
    ...onDisks.map(planContent),
    planMdArrays(layout.mdadm ?? {}, devicesByName(onDisks, (c) => (c.type === "mdraid" ? c.name : undefined))),
    ...onArrays.map(planContent),
    planVolumeGroups(layout.lvm_vg ?? {}, devicesByName([...onDisks, ...onArrays], (c) => (c.type === "lvm_pv" ? c.vg : undefined))),
    ...onVolumes.map(planContent),
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
