import type { Target } from "@nixos-via/core";

/** A target that is a whole block device: the layout is applied to `device`, then mounted at `root`. */
export interface BlockDeviceTarget extends Target {
  /** The whole-disk device the layout partitions, e.g. `/dev/sdb` or `/dev/loop3`. */
  readonly device: string;
}
