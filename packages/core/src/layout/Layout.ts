/**
 * A disk layout: the typed mirror of disko's `disko.devices`, i.e. what
 * `builtins.toJSON config.disko.devices` prints. Every node is plain readonly data with a
 * `type` discriminant, so a layout can be written directly in TypeScript or read from JSON
 * with {@link parseLayout}.
 *
 * Only what nixos-via acts on is modelled; `zpool` and `bcachefs_filesystems` are refused
 * by {@link parseLayout}.
 *
 * @example
 * ```ts
 * const layout: Layout = {
 *   disk: {
 *     main: {
 *       type: "disk",
 *       device: "/dev/vda",
 *       content: {
 *         type: "gpt",
 *         partitions: {
 *           ESP: { type: "EF00", size: "512M", content: { type: "filesystem", format: "vfat", mountpoint: "/boot" } },
 *           root: { size: "100%", content: { type: "filesystem", format: "ext4", mountpoint: "/" } },
 *         },
 *       },
 *     },
 *   },
 * };
 * ```
 */
export interface Layout {
  /** Whole disks, by name. The name makes partition labels (`disk-<name>-<partition>`). */
  readonly disk?: Readonly<Record<string, Disk>>;
  /** LVM volume groups, by name; their physical volumes are `lvm_pv` contents naming them. */
  readonly lvm_vg?: Readonly<Record<string, LvmVolumeGroup>>;
  /** Software RAID arrays (`/dev/md/<name>`); their members are `mdraid` contents naming them. */
  readonly mdadm?: Readonly<Record<string, MdadmArray>>;
  /** File systems without a device (tmpfs), by name. */
  readonly nodev?: Readonly<Record<string, NodevFilesystem>>;
}

/** A whole disk. Which device it is at install time is decided by {@link resolveDiskDevices}. */
export interface Disk extends Hooks {
  readonly type: "disk";
  /**
   * What partition labels and whole-disk file system labels are made of, when it is not the
   * key (disko's `name`; a key like `/dev/vdb` gives `_dev_vdb`).
   * @default the key in `disk`, with each `/` replaced by `_`
   */
  readonly name?: string;
  /** The device on the machine the layout was written for: the default on `ssh://` targets, see {@link resolveDiskDevices}. */
  readonly device?: string;
  readonly content?: DiskContent;
}

/** What a whole disk holds: a partition table, or one volume on the whole device. */
export type DiskContent = GptTable | MsdosTable | PartitionContent;

/**
 * Shell code disko runs around a node's steps. nixos-via refuses a layout with hooks unless
 * they are allowed (`--allow-layout-hooks`); then each runs as its own step with `sh -c`, on
 * the machine that runs the layout's steps, and the plan shows it.
 */
export interface Hooks {
  /** Before the node's create steps. */
  readonly preCreateHook?: string;
  /** After the node's create steps. */
  readonly postCreateHook?: string;
  /** Before the node's mounts. */
  readonly preMountHook?: string;
  /** After the node's mounts. */
  readonly postMountHook?: string;
  /** Before the node's unmounts. */
  readonly preUnmountHook?: string;
  /** After the node's unmounts. */
  readonly postUnmountHook?: string;
}

/** A GUID partition table, created with `sgdisk`. */
export interface GptTable extends Hooks {
  readonly type: "gpt";
  /** With hybrid partitions: put the EFI GPT protective (0xEE) entry first in the MBR. @default true */
  readonly efiGptPartitionFirst?: boolean;
  /** Partitions by name; they are created in {@link GptPartition.priority} order, ties by name. */
  readonly partitions: Readonly<Record<string, GptPartition>>;
}

/** One partition of a {@link GptTable}. */
export interface GptPartition {
  /**
   * sgdisk type code (`EF00` ESP, `EF02` BIOS boot, `8300` Linux, `8200` swap, `FD00` RAID,
   * `8E00` LVM) or a full type GUID.
   * @default "8300", or "8200" when the content is swap
   */
  readonly type?: string;
  /** `[0-9]+[KMGTP]?` (a number without suffix counts sectors) or `"100%"` for the rest of the disk. */
  readonly size?: string;
  /** sgdisk start; `0` is the next free range. @default "0" */
  readonly start?: string;
  /** sgdisk end: `+SIZE` relative to the start, `-SIZE` from the disk's end. @default "+<size>", or "-0" for size "100%" */
  readonly end?: string;
  /** Smaller is created first. @default 100 for EF02, 9001 for size "100%", else 1000 */
  readonly priority?: number;
  /** The partition's name; @default the key in `partitions` */
  readonly name?: string;
  /**
   * GPT partition label (`/dev/disk/by-partlabel/<label>`). @default "disk-<disk>-<name>"
   * (`mdadm-<array>-<name>` on an md array), or the first 36 hex digits of its SHA-256 when
   * that is longer than 36 characters
   */
  readonly label?: string;
  /** The partition's own GUID (`sgdisk --partition-guid`); then it is found as `/dev/disk/by-partuuid/<uuid>`. @default random */
  readonly uuid?: string;
  /** GPT attribute bits to set (0 required, 1 no block IO, 2 legacy BIOS bootable, 60–63 type-specific). @default [] */
  readonly attributes?: readonly number[];
  /** sgdisk `--set-alignment`. @default 1 when start or end is in sectors (`…s`), else sgdisk's own */
  readonly alignment?: number;
  /** Also put this partition in a hybrid MBR (`sgdisk -h`). */
  readonly hybrid?: HybridPartition;
  readonly content?: PartitionContent;
}

/** One entry of a hybrid MBR. */
export interface HybridPartition {
  /** The MBR type byte (`0x0c`), set with `sfdisk --part-type`. */
  readonly mbrPartitionType?: string;
  /** Sets the MBR active flag (`sfdisk --activate`). @default false */
  readonly mbrBootableFlag?: boolean;
}

/**
 * disko's legacy `table`: a partition list created with `parted`, as an MBR (`msdos`) or a
 * GPT (`gpt`, each partition's `name` is its GPT label).
 */
export interface MsdosTable extends Hooks {
  readonly type: "table";
  /** @default "gpt", as disko's */
  readonly format: "msdos" | "gpt";
  /** In creation order. Primary and extended partitions are numbered 1–4, logical ones from 5. */
  readonly partitions: readonly MsdosPartition[];
}

/** One partition of an {@link MsdosTable}. */
export interface MsdosPartition {
  /** msdos: also the file system label of its content (MBR partitions have no label of their own). gpt: the GPT label, required. */
  readonly name?: string;
  /** parted start, in any parted unit (`1MiB`, `512M`, `2048s`, `0%`…; parted's `M` is `MB`). @default "0%" */
  readonly start?: string;
  /** parted end (`513MiB`, `100%`…). @default "100%" */
  readonly end?: string;
  /** Sets the MBR active flag (what a BIOS MBR boot code looks for). @default false */
  readonly bootable?: boolean;
  /** parted's file system type hint for `mkpart` (sets the MBR type byte). */
  readonly "fs-type"?: "btrfs" | "ext2" | "ext3" | "ext4" | "fat16" | "fat32" | "linux-swap" | "xfs";
  /** @default "primary" */
  readonly "part-type"?: "primary" | "extended" | "logical";
  /** Extra parted flags to set on (`esp`, `lvm`, `raid`…). @default [] */
  readonly flags?: readonly string[];
  readonly content?: PartitionContent;
}

/** What a partition (or a whole disk) can hold. */
export type PartitionContent = Filesystem | Btrfs | Swap | Luks | LvmPhysicalVolume | MdraidMember;

/** Any node that holds or is a device: what hooks can be on. */
export type LayoutNode = Disk | DiskContent | LvmVolumeGroup | MdadmArray;

/** What an opened LUKS device can hold. */
export type LuksContent = Filesystem | Btrfs | Swap | LvmPhysicalVolume;

/** What an LVM logical volume can hold. */
export type LogicalVolumeContent = Filesystem | Btrfs | Swap | Luks | LvmPhysicalVolume | MdraidMember;

/** What an mdadm array can hold. */
export type MdadmContent = GptTable | Filesystem | Btrfs | Swap | Luks | LvmPhysicalVolume;

/** Any content node. */
export type Content = PartitionContent | GptTable | MsdosTable;

/** File system formats nixos-via creates with `mkfs.<format>`. */
export type FilesystemFormat = "ext2" | "ext3" | "ext4" | "vfat" | "xfs" | "btrfs" | "f2fs";

/** A file system made with `mkfs.<format>`. */
export interface Filesystem extends Hooks {
  readonly type: "filesystem";
  readonly format: FilesystemFormat;
  /** Where it is mounted in the installed system; not mounted when absent. */
  readonly mountpoint?: string;
  /** @default ["defaults"] */
  readonly mountOptions?: readonly string[];
  /** Extra arguments for `mkfs.<format>`. @default [] */
  readonly extraArgs?: readonly string[];
}

/** A btrfs file system with subvolumes. */
export interface Btrfs extends Hooks {
  readonly type: "btrfs";
  /** Extra arguments for `mkfs.btrfs`. @default [] */
  readonly extraArgs?: readonly string[];
  /** Where the top-level subvolume is mounted; not mounted when absent. */
  readonly mountpoint?: string;
  /** @default ["defaults"] */
  readonly mountOptions?: readonly string[];
  /** Subvolumes by name. @default {} */
  readonly subvolumes?: Readonly<Record<string, BtrfsSubvolume>>;
}

/** A btrfs subvolume, mounted with `subvol=<name>`. */
export interface BtrfsSubvolume {
  /** Its path inside the file system. @default the key in `subvolumes` */
  readonly name?: string;
  readonly mountpoint?: string;
  /** @default ["defaults"] */
  readonly mountOptions?: readonly string[];
  /** Extra arguments for `btrfs subvolume create`. @default [] */
  readonly extraArgs?: readonly string[];
}

/** A swap device. It is created (`mkswap`) but not switched on during an install. */
export interface Swap extends Hooks {
  readonly type: "swap";
  /** `swapDevices.*.discardPolicy`. */
  readonly discardPolicy?: "once" | "pages" | "both";
  /** Makes it `boot.resumeDevice`. @default false */
  readonly resumeDevice?: boolean;
  /** `swapDevices.*.randomEncryption`. @default false */
  readonly randomEncryption?: boolean;
  /** `swapDevices.*.priority`. */
  readonly priority?: number;
  /** `swapDevices.*.options`. @default ["defaults"] */
  readonly mountOptions?: readonly string[];
  /** Extra arguments for `mkswap` (not run for randomEncryption: NixOS makes that swap at each boot). @default [] */
  readonly extraArgs?: readonly string[];
}

/** A LUKS container, opened as `/dev/mapper/<name>`. */
export interface Luks extends Hooks {
  readonly type: "luks";
  readonly name: string;
  /** A file on the target holding the passphrase; trailing newlines are not part of it. */
  readonly passwordFile?: string;
  /** Deprecated in disko: a key file on the target, used as is. Prefer `settings.keyFile`. */
  readonly keyFile?: string;
  /**
   * `boot.initrd.luks.devices.<name>` settings. `keyFile`, `keyFileSize`, `keyFileOffset`,
   * `allowDiscards` and `bypassWorkqueues` are also used when formatting and opening.
   * @default {}
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** More key files on the target to add to the LUKS header (`cryptsetup luksAddKey`). @default [] */
  readonly additionalKeyFiles?: readonly string[];
  /** Extra arguments for `cryptsetup luksFormat`. @default [] */
  readonly extraFormatArgs?: readonly string[];
  /** Extra arguments for `cryptsetup open`. @default [] */
  readonly extraOpenArgs?: readonly string[];
  /** Adds `boot.initrd.luks.devices.<name>`. @default true */
  readonly initrdUnlock?: boolean;
  readonly content?: LuksContent;
}

/** An LVM physical volume that belongs to the volume group `vg`. */
export interface LvmPhysicalVolume extends Hooks {
  readonly type: "lvm_pv";
  readonly vg: string;
}

/** A member of the mdadm array `name`. */
export interface MdraidMember extends Hooks {
  readonly type: "mdraid";
  readonly name: string;
}

/** An LVM volume group; its logical volumes are `/dev/<vg>/<lv>`. */
export interface LvmVolumeGroup extends Hooks {
  readonly type: "lvm_vg";
  /** @default {} */
  readonly lvs?: Readonly<Record<string, LogicalVolume>>;
}

/** An LVM logical volume. */
export interface LogicalVolume {
  /** @default the key in `lvs` */
  readonly name?: string;
  /** `lvcreate -L` size (`10G`) or `-l` extents in percent (`100%FREE`, `50%VG`; a bare `N%` means `N%FREE`). */
  readonly size: string;
  /** `lvcreate --type`; a `thinlv` is a thin volume (`lvcreate -V SIZE --thinpool=POOL`). */
  readonly lvm_type?: "mirror" | "raid0" | "raid1" | "raid4" | "raid5" | "raid6" | "thin-pool" | "thinlv";
  /** The thin pool (an LV of `lvm_type` `thin-pool` in the same group) a `thinlv` lives in. */
  readonly pool?: string;
  /** Extra arguments for `lvcreate`. @default [] */
  readonly extraArgs?: readonly string[];
  /** Creation order, as disko's: @default 1000 (501 for a thin pool), plus 251 when the size contains `100%` */
  readonly priority?: number;
  readonly content?: LogicalVolumeContent;
}

/** A software RAID array, created with `mdadm --create /dev/md/<name>`. */
export interface MdadmArray extends Hooks {
  readonly type: "mdadm";
  /** RAID level. @default 1 */
  readonly level?: number;
  /** Superblock format. @default "default" */
  readonly metadata?: "1" | "1.0" | "1.1" | "1.2" | "default" | "ddf" | "imsm";
  /** Extra arguments for `mdadm --create`. @default [] */
  readonly extraArgs?: readonly string[];
  readonly content?: MdadmContent;
}

/** A file system with no device: tmpfs. */
export interface NodevFilesystem extends Hooks {
  readonly type?: "nodev";
  readonly fsType: "tmpfs";
  /** @default the key in `nodev` */
  readonly mountpoint?: string;
  /** @default ["defaults"] */
  readonly mountOptions?: readonly string[];
  /** The "device" shown in mount tables. @default "none" */
  readonly device?: string;
}
