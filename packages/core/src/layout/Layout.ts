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
export interface Disk {
  readonly type: "disk";
  /** The device on the machine the layout was written for: the default on `ssh://` targets, see {@link resolveDiskDevices}. */
  readonly device?: string;
  readonly content?: DiskContent;
}

/** What a whole disk holds: a partition table, or one volume on the whole device. */
export type DiskContent = GptTable | MsdosTable | PartitionContent;

/** A GUID partition table, created with `sgdisk`. */
export interface GptTable {
  readonly type: "gpt";
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
  /** GPT partition label (`/dev/disk/by-partlabel/<label>`). @default "disk-<disk>-<name>" */
  readonly label?: string;
  readonly content?: PartitionContent;
}

/** An MBR (msdos) partition table, created with `parted`. */
export interface MsdosTable {
  readonly type: "table";
  readonly format: "msdos";
  /** In creation order. Primary and extended partitions are numbered 1–4, logical ones from 5. */
  readonly partitions: readonly MsdosPartition[];
}

/** One partition of an {@link MsdosTable}. */
export interface MsdosPartition {
  /** Also the file system label of its content (MBR partitions have no label of their own). */
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

/** What an opened LUKS device can hold. */
export type LuksContent = Filesystem | Btrfs | Swap | LvmPhysicalVolume;

/** What an LVM logical volume can hold. */
export type LogicalVolumeContent = Filesystem | Btrfs | Swap | Luks;

/** What an mdadm array can hold. */
export type MdadmContent = Filesystem | Btrfs | Swap | Luks | LvmPhysicalVolume;

/** Any content node. */
export type Content = PartitionContent;

/** File system formats nixos-via creates with `mkfs.<format>`. */
export type FilesystemFormat = "ext2" | "ext3" | "ext4" | "vfat" | "xfs" | "btrfs";

/** A file system made with `mkfs.<format>`. */
export interface Filesystem {
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
export interface Btrfs {
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
export interface Swap {
  readonly type: "swap";
  /** `swapDevices.*.discardPolicy`. */
  readonly discardPolicy?: "once" | "pages" | "both";
  /** Makes it `boot.resumeDevice`. @default false */
  readonly resumeDevice?: boolean;
  /** `swapDevices.*.randomEncryption`. @default false */
  readonly randomEncryption?: boolean;
  /** `swapDevices.*.priority`. */
  readonly priority?: number;
  /** Extra arguments for `mkswap`. @default [] */
  readonly extraArgs?: readonly string[];
}

/** A LUKS container, opened as `/dev/mapper/<name>`. */
export interface Luks {
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
  /** Extra arguments for `cryptsetup luksFormat`. @default [] */
  readonly extraFormatArgs?: readonly string[];
  /** Extra arguments for `cryptsetup open`. @default [] */
  readonly extraOpenArgs?: readonly string[];
  /** Adds `boot.initrd.luks.devices.<name>`. @default true */
  readonly initrdUnlock?: boolean;
  readonly content?: LuksContent;
}

/** An LVM physical volume that belongs to the volume group `vg`. */
export interface LvmPhysicalVolume {
  readonly type: "lvm_pv";
  readonly vg: string;
}

/** A member of the mdadm array `name`. */
export interface MdraidMember {
  readonly type: "mdraid";
  readonly name: string;
}

/** An LVM volume group; its logical volumes are `/dev/<vg>/<lv>`. */
export interface LvmVolumeGroup {
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
  /** `lvcreate --type`. */
  readonly lvm_type?: "mirror" | "raid0" | "raid1" | "raid5" | "raid6";
  /** Extra arguments for `lvcreate`. @default [] */
  readonly extraArgs?: readonly string[];
  /** Creation order, as disko's: @default 1000, or 1251 when the size contains `100%` */
  readonly priority?: number;
  readonly content?: LogicalVolumeContent;
}

/** A software RAID array, created with `mdadm --create /dev/md/<name>`. */
export interface MdadmArray {
  readonly type: "mdadm";
  /** RAID level. @default 1 */
  readonly level?: number;
  /** Superblock format. @default "default" */
  readonly metadata?: "1" | "1.0" | "1.1" | "1.2" | "default" | "ddf" | "imsm";
  readonly content?: MdadmContent;
}

/** A file system with no device: tmpfs. */
export interface NodevFilesystem {
  readonly type?: "nodev";
  readonly fsType: "tmpfs";
  /** @default the key in `nodev` */
  readonly mountpoint?: string;
  /** @default ["defaults"] */
  readonly mountOptions?: readonly string[];
  /** The "device" shown in mount tables. @default "none" */
  readonly device?: string;
}
