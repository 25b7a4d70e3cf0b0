import { err, ok, type Result } from "neverthrow";
import type { Phase, RunStep } from "../pipeline/Step.js";
import type { Content, Layout } from "./Layout.js";
import { LayoutValidationError, type LayoutProblem } from "./LayoutValidationError.js";
import { layoutArgv } from "./layoutScript.js";
import { numberMsdosPartitions, orderGptPartitions, type OrderedGptPartition } from "./orderPartitions.js";
import { ownValue } from "./ownValue.js";
import { parseLayout } from "./parseLayout.js";
import { hasControlCharacters } from "./printable.js";
import { noDeviceProblem } from "./resolveDiskDevices.js";
import { mountsOf, orderLogicalVolumes, partitionRef, walkLayout, type ContentSite } from "./walkLayout.js";

/** Inputs of {@link planLayout} besides the layout. */
export interface PlanLayoutParameters {
  /** The device each disk of the layout is at install time, e.g. `{ main: "/dev/loop3" }`. */
  readonly devices: Readonly<Record<string, string>>;
  /** Where the installed system's `/` is mounted, e.g. `/mnt`. */
  readonly mountRoot: string;
}

/** One file system the layout mounts during the install. */
export interface LayoutMount {
  /** The device as the steps name it: a path, or a partition reference `@part:N:LABEL:DISK`. */
  readonly device: string;
  /** The device in words: `disk main, partition 2 (disk-main-root)`. */
  readonly description: string;
  /** In the installed system, e.g. `/boot`. */
  readonly mountpoint: string;
  /** Where it is mounted during the install: the mountpoint under the mount root. */
  readonly path: string;
  readonly fsType: string;
  readonly options: readonly string[];
}

/** What a layout takes to create and to take down again, decided before anything is touched. */
export interface LayoutPlan {
  /** Phases wipe, partition, format, mount, in that order. */
  readonly steps: readonly RunStep[];
  /**
   * Phase unmount: mounts children before parents, then volume groups deactivated, LUKS
   * devices closed and md arrays stopped, in reverse order of creation. Each step only acts
   * when its mount or device is there, so they also clean up after a run that failed.
   * Swap is never switched on during an install, so it is not switched off.
   */
  readonly unmountSteps: readonly RunStep[];
  /** File system types the kernel doing the install must mount, sorted (`["btrfs", "vfat"]`). */
  readonly filesystems: readonly string[];
  /** Kernel features beyond file systems: `device-mapper`, `dm-crypt`, `md`. */
  readonly kernelFeatures: readonly string[];
  /** Commands the steps need on the machine doing the install, sorted. */
  readonly tools: readonly string[];
  /** The files on the target the LUKS steps read keys or passphrases from, sorted. */
  readonly keyFiles: readonly string[];
  /** In mount order: parents before children. */
  readonly mounts: readonly LayoutMount[];
}

/** Why a layout cannot be planned. */
export type PlanLayoutErrorType = LayoutValidationError;

/** device-mapper makes its own /dev nodes (and LVM its /dev/VG/LV links) when udev does not. */
const NO_UDEV = { DM_DISABLE_UDEV: "1" } as const;

/**
 * Plans creating a layout on the given devices the way disko does: wipe each disk, write
 * the partition tables, wait for the partition devices, make file systems, LUKS, LVM and
 * md arrays, then mount everything under `mountRoot`. Partitions are addressed by number
 * on the device given for their disk and resolved on the target (see {@link LAYOUT_SCRIPT}),
 * never by guessed names like `/dev/sdb2`. Pure and deterministic.
 *
 * @example
 * ```ts
 * const plan = planLayout(layout, { devices: { main: "/dev/sdb" }, mountRoot: "/mnt" });
 * if (plan.isOk()) for (const step of plan.value.steps) console.log(step.description);
 * ```
 */
export function planLayout(given: Layout, { devices, mountRoot }: PlanLayoutParameters): Result<LayoutPlan, PlanLayoutErrorType> {
  // Plan what was validated: parseLayout's copy keeps every key and inherits none.
  const parsed = parseLayout(given);
  if (parsed.isErr()) return err(parsed.error);
  const layout = parsed.value;
  const problems = checkDevices(layout, devices, mountRoot);
  if (problems.length > 0) return err(new LayoutValidationError(problems));

  const steps: RunStep[] = [];
  const teardown: RunStep[] = [];
  const tools = new Set<string>();
  const filesystems = new Set<string>();
  const kernelFeatures = new Set<string>();
  const keyFiles = new Set<string>();
  const step = (phase: Phase, description: string, argv: readonly string[], env?: Readonly<Record<string, string>>): RunStep => ({
    kind: "run",
    phase,
    description,
    argv,
    ...(env === undefined ? {} : { env }),
  });
  const add = (phase: Phase, description: string, argv: readonly string[], needs: readonly string[], env?: Readonly<Record<string, string>>) => {
    steps.push(step(phase, description, argv, env));
    for (const t of needs) tools.add(t);
  };
  const onDevice = (argv: readonly string[]): string[] =>
    argv.some((a) => a.startsWith("@part:")) ? layoutArgv("run", argv) : [...argv];
  const resolverTools = ["sh", "readlink", "cat", "partx", "sleep", "mknod"];

  const disks = layout.disk ?? {};
  const diskNames = Object.keys(disks).sort();
  for (const name of diskNames) {
    const dev = devices[name] as string;
    const words = diskWords(name, dev, disks[name]?.device);
    add("wipe", `check that ${words} is not in use`, layoutArgv("unused", [dev]), ["sh", "readlink", "grep"]);
    add("wipe", `wipe the signatures on ${words}`, ["wipefs", "--all", dev], ["wipefs"]);
  }

  for (const name of diskNames) {
    const dev = devices[name] as string;
    const content = disks[name]?.content;
    if (content?.type === "gpt") {
      const partitions = orderGptPartitions(name, content);
      const bootable = biosBootPartition(partitions);
      add("partition", `create a new GPT on disk ${name} (${dev})`, ["sgdisk", "--zap-all", dev], ["sgdisk"]);
      for (const p of partitions) {
        const n = p.number;
        const start = p.partition.start ?? "0";
        const end = p.partition.end ?? (p.partition.size === "100%" ? "-0" : `+${p.partition.size ?? "0"}`);
        add(
          "partition",
          `create partition ${n} (${p.label}) on disk ${name}${n === bootable ? ", legacy BIOS bootable" : ""}`,
          [
            "sgdisk",
            "--align-end",
            `--new=${n}:${start}:${end}`,
            `--partition-guid=${n}:R`,
            `--change-name=${n}:${p.label}`,
            `--typecode=${n}:${p.typeCode}`,
            ...(n === bootable ? [`--attributes=${n}:set:2`] : []),
            dev,
          ],
          ["sgdisk"],
        );
      }
      if (partitions.length > 0) {
        add(
          "partition",
          `wait for the partition devices of disk ${name}`,
          layoutArgv("wait", partitions.map((p) => partitionRef(dev, p.number, p.label))),
          resolverTools,
        );
      }
    } else if (content?.type === "table") {
      const partitions = numberMsdosPartitions(content);
      add("partition", `create a new msdos partition table on disk ${name} (${dev})`, ["parted", "-s", dev, "--", "mklabel", "msdos"], ["parted"]);
      for (const p of partitions) {
        const fsType = p.partition["fs-type"];
        add(
          "partition",
          `create ${p.partType} partition ${p.number} on disk ${name}`,
          ["parted", "-s", dev, "--", "mkpart", p.partType, ...(fsType === undefined ? [] : [fsType]), p.partition.start ?? "0%", p.partition.end ?? "100%"],
          ["parted"],
        );
        const flags = [...(p.partition.bootable === true ? ["boot"] : []), ...(p.partition.flags ?? [])];
        for (const flag of flags) {
          add("partition", `set the ${flag} flag on partition ${p.number} of disk ${name}`, ["parted", "-s", dev, "--", "set", String(p.number), flag, "on"], ["parted"]);
        }
      }
      const waited = partitions.filter((p) => p.partType !== "extended");
      if (waited.length > 0) {
        add("partition", `wait for the partition devices of disk ${name}`, layoutArgv("wait", waited.map((p) => partitionRef(dev, p.number, ""))), resolverTools);
      }
    }
  }

  const sites = walkLayout(layout, devices);
  const pvs = new Map<string, string[]>();
  const members = new Map<string, string[]>();
  const format = (site: ContentSite): void => {
    const c: Content = site.content;
    const dev = site.installDevice;
    const label = site.fsLabel;
    if (c.type === "filesystem") {
      const mkfs = `mkfs.${c.format}`;
      const force = c.format === "vfat" ? [] : c.format === "xfs" || c.format === "btrfs" ? ["-f"] : ["-F"];
      const labelArgs = label === undefined ? [] : [c.format === "vfat" ? "-n" : "-L", label];
      add("format", `format ${site.description} as ${c.format}`, onDevice([mkfs, ...force, ...labelArgs, ...(c.extraArgs ?? []), dev]), [mkfs]);
    } else if (c.type === "btrfs") {
      const labelArgs = label === undefined ? [] : ["-L", label];
      add("format", `format ${site.description} as btrfs`, onDevice(["mkfs.btrfs", "-f", ...labelArgs, ...(c.extraArgs ?? []), dev]), ["mkfs.btrfs"]);
      const subvolumes = c.subvolumes ?? {};
      const names = Object.keys(subvolumes).map((key) => [subvolumes[key]?.name ?? key, key] as const);
      for (const [subvol, key] of names.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
        add(
          "format",
          `create btrfs subvolume ${subvol} on ${site.description}`,
          layoutArgv("subvolume", [dev, subvol, ...(subvolumes[key]?.extraArgs ?? [])]),
          ["sh", "btrfs", "mktemp", "mount", "umount", "rmdir"],
        );
        filesystems.add("btrfs");
      }
    } else if (c.type === "swap") {
      const labelArgs = label === undefined ? [] : ["-L", label];
      add("format", `make ${site.description} a swap device`, onDevice(["mkswap", ...labelArgs, ...(c.extraArgs ?? []), dev]), ["mkswap"]);
    } else if (c.type === "luks") {
      const settings = c.settings ?? {};
      const keyFile = typeof settings.keyFile === "string" ? settings.keyFile : c.keyFile;
      const keyArgs = [
        "--key-file",
        keyFile ?? "-",
        ...(typeof settings.keyFileSize === "number" ? [`--keyfile-size=${settings.keyFileSize}`] : []),
        ...(typeof settings.keyFileOffset === "number" ? [`--keyfile-offset=${settings.keyFileOffset}`] : []),
      ];
      const withKey = (argv: string[]): string[] =>
        keyFile === undefined && c.passwordFile !== undefined ? layoutArgv("run-with-password", [c.passwordFile, ...argv]) : onDevice(argv);
      const source = keyFile ?? c.passwordFile ?? "";
      keyFiles.add(source);
      add(
        "format",
        `encrypt ${site.description} with LUKS (key from ${source} on the target)`,
        withKey(["cryptsetup", "luksFormat", "--batch-mode", ...(c.extraFormatArgs ?? []), ...keyArgs, dev]),
        ["cryptsetup"],
        NO_UDEV,
      );
      const flags = [
        ...(settings.allowDiscards === true ? ["--allow-discards"] : []),
        ...(settings.bypassWorkqueues === true ? ["--perf-no_read_workqueue", "--perf-no_write_workqueue"] : []),
      ];
      add(
        "format",
        `open ${site.description} as /dev/mapper/${c.name}`,
        withKey(["cryptsetup", "open", ...flags, ...(flags.length > 0 ? ["--persistent"] : []), ...(c.extraOpenArgs ?? []), ...keyArgs, dev, c.name]),
        ["cryptsetup"],
        NO_UDEV,
      );
      teardown.push(step("unmount", `close /dev/mapper/${c.name}`, layoutArgv("close", [c.name]), NO_UDEV));
      tools.add("sh");
      kernelFeatures.add("device-mapper").add("dm-crypt");
    } else if (c.type === "lvm_pv") {
      add("format", `make ${site.description} an LVM physical volume of ${c.vg}`, onDevice(["pvcreate", "--yes", dev]), ["pvcreate"], NO_UDEV);
      pvs.set(c.vg, [...(pvs.get(c.vg) ?? []), dev]);
    } else {
      members.set(c.name, [...(members.get(c.name) ?? []), dev]);
    }
  };

  for (const site of sites.filter((s) => s.path.startsWith("disk."))) format(site);

  const arrays = layout.mdadm ?? {};
  for (const name of Object.keys(arrays).sort()) {
    const md = arrays[name];
    const devs = members.get(name) ?? [];
    const metadata = md?.metadata ?? "default";
    add(
      "format",
      `create the md array /dev/md/${name} from ${devs.length} devices`,
      onDevice([
        "mdadm", "--create", `/dev/md/${name}`, "--run", "--force", "--homehost=any",
        `--level=${md?.level ?? 1}`, `--raid-devices=${devs.length}`,
        ...(metadata === "default" ? [] : [`--metadata=${metadata}`]),
        ...devs,
      ]),
      ["mdadm"],
    );
    teardown.push(step("unmount", `stop the md array /dev/md/${name}`, layoutArgv("stop", [name])));
    tools.add("sh");
    kernelFeatures.add("md");
  }
  for (const site of sites.filter((s) => s.path.startsWith("mdadm."))) format(site);

  const groups = layout.lvm_vg ?? {};
  for (const vg of Object.keys(groups).sort()) {
    const devs = pvs.get(vg) ?? [];
    add("format", `create the LVM volume group ${vg} on ${devs.length} physical volumes`, onDevice(["vgcreate", "--yes", vg, ...devs]), ["vgcreate"], NO_UDEV);
    for (const [key, lv] of orderLogicalVolumes(groups[vg]?.lvs ?? {})) {
      const lvName = lv.name ?? key;
      const size = lv.size.includes("%") ? ["-l", /%$/.test(lv.size) ? `${lv.size}FREE` : lv.size] : ["-L", lv.size];
      add(
        "format",
        `create the logical volume /dev/${vg}/${lvName} (${lv.size})`,
        ["lvcreate", "--yes", ...size, "-n", lvName, ...(lv.lvm_type === undefined ? [] : [`--type=${lv.lvm_type}`]), ...(lv.extraArgs ?? []), vg],
        ["lvcreate"],
        NO_UDEV,
      );
    }
    teardown.push(step("unmount", `deactivate the LVM volume group ${vg}`, layoutArgv("deactivate", [vg]), NO_UDEV));
    tools.add("sh");
    kernelFeatures.add("device-mapper");
  }
  for (const site of sites.filter((s) => s.path.startsWith("lvm_vg."))) format(site);

  const mounts = mountsOf(layout, devices)
    .map((m) => ({ ...m, target: underRoot(mountRoot, m.mountpoint) }))
    .sort((a, b) => depth(a.mountpoint) - depth(b.mountpoint) || (a.mountpoint < b.mountpoint ? -1 : a.mountpoint > b.mountpoint ? 1 : 0));
  for (const m of mounts) {
    add("mount", `create the mountpoint ${m.target}`, ["mkdir", "-p", m.target], ["mkdir"]);
    add(
      "mount",
      `mount ${m.description} on ${m.target}`,
      onDevice(["mount", "-t", m.fsType, "-o", m.options.join(","), m.installDevice, m.target]),
      ["mount"],
    );
    filesystems.add(m.fsType);
  }
  const unmountSteps = [
    ...[...mounts].reverse().map((m) => step("unmount", `unmount ${m.target}`, layoutArgv("unmount", [m.target]))),
    ...teardown.reverse(),
  ];
  if (unmountSteps.length > 0) tools.add("sh").add("grep").add("umount");
  if (teardown.length > 0) {
    if (kernelFeatures.has("dm-crypt")) tools.add("cryptsetup");
    if (Object.keys(groups).length > 0) tools.add("vgchange");
  }

  return ok({
    steps,
    unmountSteps,
    filesystems: [...filesystems].sort(),
    kernelFeatures: [...kernelFeatures].sort(),
    tools: [...tools].sort(),
    keyFiles: [...keyFiles].sort(),
    mounts: mounts.map((m) => ({
      device: m.installDevice,
      description: m.description,
      mountpoint: m.mountpoint,
      path: m.target,
      fsType: m.fsType,
      options: m.options,
    })),
  });
}

/**
 * On a disk with a BIOS boot partition (EF02), the partition holding /boot (or / when
 * /boot is not separate) gets GPT's legacy BIOS bootable attribute: the MBR code of
 * syslinux/extlinux for GPT (gptmbr.bin) boots the partition that carries it.
 */
function biosBootPartition(partitions: readonly OrderedGptPartition[]): number | undefined {
  if (!partitions.some((p) => p.typeCode.toUpperCase() === "EF02")) return undefined;
  const holds = (mountpoint: string) =>
    partitions.find((p) => {
      const c = p.partition.content;
      if (c?.type === "filesystem") return c.mountpoint === mountpoint;
      if (c?.type === "btrfs") {
        return c.mountpoint === mountpoint || Object.values(c.subvolumes ?? {}).some((s) => s.mountpoint === mountpoint);
      }
      return false;
    });
  return (holds("/boot") ?? holds("/"))?.number;
}

/** `disk main (/dev/sdb)`, and when that is not the device the layout names, says so. */
function diskWords(name: string, device: string, layoutDevice: string | undefined): string {
  const instead = layoutDevice === undefined || layoutDevice === device ? "" : `, instead of the layout's ${layoutDevice}`;
  return `disk ${name} (${device}${instead})`;
}

function checkDevices(layout: Layout, devices: Readonly<Record<string, string>>, mountRoot: string): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const disks = layout.disk ?? {};
  const used = new Map<string, string>();
  for (const name of Object.keys(disks).sort()) {
    const dev = ownValue(devices, name);
    if (dev === undefined) {
      problems.push(noDeviceProblem(name, disks[name]));
    } else if (!dev.startsWith("/") || /\s/.test(dev) || hasControlCharacters(dev)) {
      problems.push({ path: `disk.${name}`, message: `"${dev}" is not a device path` });
    } else if (used.has(dev)) {
      problems.push({ path: `disk.${name}`, message: `${dev} is also given for disk ${used.get(dev)}` });
    } else used.set(dev, name);
  }
  for (const name of Object.keys(devices).sort()) {
    if (ownValue(disks, name) === undefined) problems.push({ path: `disk.${name}`, message: `a device is given for disk ${name}, but the layout has no such disk` });
  }
  if (!mountRoot.startsWith("/") || mountRoot.replace(/\/+$/, "") === "" || /\s/.test(mountRoot)) {
    problems.push({ path: "mountRoot", message: `"${mountRoot}" cannot be the mount root: give an absolute directory other than /` });
  }
  return problems;
}

function underRoot(root: string, mountpoint: string): string {
  const base = root.replace(/\/+$/, "");
  return mountpoint === "/" ? base : `${base}${mountpoint}`;
}

function depth(mountpoint: string): number {
  return mountpoint === "/" ? 0 : mountpoint.split("/").length - 1;
}
