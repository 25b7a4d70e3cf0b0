import type { Filesystem, LvmPhysicalVolume, Swap } from "../Layout.js";
import type { ContentSite } from "../walkLayout.js";
import { planBtrfs } from "./planBtrfs.js";
import { planGptTable } from "./planGptTable.js";
import { planLuks } from "./planLuks.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { NO_UDEV, resolvingPartitions, runStep } from "./runStep.js";

/**
 * Makes what one content node is on its device: a file system, btrfs with its subvolumes,
 * swap, LUKS, an LVM physical volume, or a GPT on an md array. md members get nothing here:
 * their array is created from all of them at once (see `planMdArrays`); a disk's own table
 * is written in the partition phase (see `planPartitions`).
 */
export function planContent(site: ContentSite): PlannedSteps {
  const content = site.content;
  switch (content.type) {
    case "filesystem":
      return planFilesystem(site, content);
    case "btrfs":
      return planBtrfs(site, content);
    case "swap":
      return planSwap(site, content);
    case "luks":
      return planLuks(site, content);
    case "lvm_pv":
      return planPhysicalVolume(site, content);
    case "gpt":
      return site.parent === "mdadm" ? planGptTable({ type: "mdadm", name: site.installDevice.replace(/^\/dev\/md\//, "") }, site.description, site.installDevice, content) : planned({});
    case "mdraid":
    case "table":
      return planned({});
  }
}

function planFilesystem(site: ContentSite, fs: Filesystem): PlannedSteps {
  const mkfs = `mkfs.${fs.format}`;
  // Each mkfs has its own way to say "overwrite what is there", and mkfs.vfat needs none.
  const force = fs.format === "vfat" ? [] : fs.format === "xfs" || fs.format === "btrfs" || fs.format === "f2fs" ? ["-f"] : ["-F"];
  const label = site.fsLabel === undefined ? [] : [fs.format === "vfat" ? "-n" : fs.format === "f2fs" ? "-l" : "-L", site.fsLabel];
  const argv = [mkfs, ...force, ...label, ...(fs.extraArgs ?? []), site.installDevice];
  return planned({ steps: [runStep("format", `format ${site.description} as ${fs.format}`, resolvingPartitions(argv))], tools: [mkfs] });
}

function planSwap(site: ContentSite, swap: Swap): PlannedSteps {
  // NixOS makes a randomly encrypted swap afresh at each boot; disko formats nothing for it.
  if (swap.randomEncryption === true) return planned({});
  const label = site.fsLabel === undefined ? [] : ["-L", site.fsLabel];
  const argv = ["mkswap", ...label, ...(swap.extraArgs ?? []), site.installDevice];
  return planned({ steps: [runStep("format", `make ${site.description} a swap device`, resolvingPartitions(argv))], tools: ["mkswap"] });
}

function planPhysicalVolume(site: ContentSite, pv: LvmPhysicalVolume): PlannedSteps {
  const argv = resolvingPartitions(["pvcreate", "--yes", site.installDevice]);
  return planned({ steps: [runStep("format", `make ${site.description} an LVM physical volume of ${pv.vg}`, argv, NO_UDEV)], tools: ["pvcreate"] });
}
