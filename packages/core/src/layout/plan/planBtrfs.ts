import type { Btrfs } from "../Layout.js";
import { layoutArgv } from "../layoutScript.js";
import type { ContentSite } from "../walkLayout.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { resolvingPartitions, runStep } from "./runStep.js";

/** What the layout script needs to create a subvolume: it mounts the top level on a temporary folder. */
const SUBVOLUME_TOOLS = ["sh", "btrfs", "mktemp", "mount", "umount", "rmdir"];

/** Makes a btrfs file system, then its subvolumes sorted by their path. */
export function planBtrfs(site: ContentSite, btrfs: Btrfs): PlannedSteps {
  const label = site.fsLabel === undefined ? [] : ["-L", site.fsLabel];
  const mkfs = runStep(
    "format",
    `format ${site.description} as btrfs`,
    resolvingPartitions(["mkfs.btrfs", "-f", ...label, ...(btrfs.extraArgs ?? []), site.installDevice]),
  );
  const subvolumes = btrfs.subvolumes ?? {};
  const byPath = Object.keys(subvolumes)
    .map((key) => [subvolumes[key]?.name ?? key, key] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const creates = byPath.map(([path, key]) =>
    runStep(
      "format",
      `create btrfs subvolume ${path} on ${site.description}`,
      layoutArgv("subvolume", [site.installDevice, path, ...(subvolumes[key]?.extraArgs ?? [])]),
    ),
  );
  return planned({
    steps: [mkfs, ...creates],
    tools: ["mkfs.btrfs", ...(creates.length > 0 ? SUBVOLUME_TOOLS : [])],
    // Creating a subvolume mounts the file system on the installing machine.
    filesystems: creates.length > 0 ? ["btrfs"] : [],
  });
}
