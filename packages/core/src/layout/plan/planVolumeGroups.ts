import type { LogicalVolume, LvmVolumeGroup } from "../Layout.js";
import { layoutArgv } from "../layoutScript.js";
import { orderLogicalVolumes } from "../walkLayout.js";
import { combinePlanned, planned, type PlannedSteps } from "./PlannedSteps.js";
import { NO_UDEV, resolvingPartitions, runStep } from "./runStep.js";

/**
 * Creates each LVM volume group, by name, on its physical volumes, then its logical volumes
 * in disko's order; deactivating it is left for the unmount phase.
 *
 * @param physicalVolumes - each group's physical volume devices, in creation order
 */
export function planVolumeGroups(
  groups: Readonly<Record<string, LvmVolumeGroup>>,
  physicalVolumes: ReadonlyMap<string, readonly string[]>,
): PlannedSteps {
  return combinePlanned(Object.keys(groups).sort().map((vg) => planVolumeGroup(vg, groups[vg], physicalVolumes.get(vg) ?? [])));
}

function planVolumeGroup(vg: string, group: LvmVolumeGroup | undefined, devices: readonly string[]): PlannedSteps {
  const create = runStep(
    "format",
    `create the LVM volume group ${vg} on ${devices.length} physical volumes`,
    resolvingPartitions(["vgcreate", "--yes", vg, ...devices]),
    NO_UDEV,
  );
  const volumes = orderLogicalVolumes(group?.lvs ?? {}).map(([key, lv]) => createLogicalVolumeStep(vg, lv.name ?? key, lv));
  return planned({
    steps: [create, ...volumes],
    teardown: [runStep("unmount", `deactivate the LVM volume group ${vg}`, layoutArgv("deactivate", [vg]), NO_UDEV)],
    tools: ["vgcreate", ...(volumes.length > 0 ? ["lvcreate"] : []), "sh", "vgchange"],
    kernelFeatures: ["device-mapper"],
  });
}

function createLogicalVolumeStep(vg: string, name: string, lv: LogicalVolume) {
  // As disko: a thin volume's size is virtual (-V); a share is in extents (-l), and a bare
  // "50%" means a share of the free space.
  const amount = /%$/.test(lv.size) ? `${lv.size}FREE` : lv.size;
  const size = [lv.lvm_type === "thinlv" ? "-V" : lv.size.includes("%") ? "-l" : "-L", amount];
  const type = lv.lvm_type === undefined ? [] : lv.lvm_type === "thinlv" ? [`--thinpool=${lv.pool ?? ""}`] : [`--type=${lv.lvm_type}`];
  return runStep(
    "format",
    `create the logical volume /dev/${vg}/${name} (${lv.size})`,
    ["lvcreate", "--yes", ...size, "-n", name, ...type, ...(lv.extraArgs ?? []), vg],
    NO_UDEV,
  );
}
