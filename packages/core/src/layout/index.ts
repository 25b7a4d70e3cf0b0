export type {
  Btrfs,
  BtrfsSubvolume,
  Content,
  Disk,
  DiskContent,
  Filesystem,
  FilesystemFormat,
  GptPartition,
  GptTable,
  HybridPartition,
  Layout,
  LogicalVolume,
  LogicalVolumeContent,
  Luks,
  LuksContent,
  LvmPhysicalVolume,
  LvmVolumeGroup,
  MdadmArray,
  MdadmContent,
  MdraidMember,
  MsdosPartition,
  MsdosTable,
  NodevFilesystem,
  PartitionContent,
  Swap,
} from "./Layout.js";
export { LayoutValidationError, type LayoutProblem } from "./LayoutValidationError.js";
export { LAYOUT_SCRIPT, LAYOUT_SCRIPT_NAME, layoutArgv } from "./layoutScript.js";
export { layoutToNixosModule } from "./layoutToNixosModule.js";
export { parseLayout, type ParseLayoutOptions } from "./parseLayout.js";
export { mountsRoot } from "./checkLayout.js";
export { resolveDiskDevices, type ResolveDiskDevicesErrorType, type ResolveDiskDevicesParameters } from "./resolveDiskDevices.js";
export { planLayout, type LayoutMount, type LayoutPlan, type PlanLayoutErrorType, type PlanLayoutParameters } from "./planLayout.js";
