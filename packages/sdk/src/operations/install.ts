import { readFile, stat } from "node:fs/promises";
import { isAbsolute, posix, resolve } from "node:path";
import { err, errAsync, ok, okAsync, ResultAsync, type Result } from "neverthrow";
import {
  checkBlockDevice,
  checkLayoutBootsSystem,
  closureBytes,
  formatBytes,
  mountsRoot,
  parseLayout,
  planInstall as planInstallSteps,
  planLayout,
  probeTarget,
  resolveDiskDevices,
  runPlan,
  TargetUnusableError,
  UsageError,
  type DiskEncryptionKey,
  type InstallOption,
  type Layout,
  type LayoutPlan,
  type NixosSystem,
  type NixosViaError,
  type OpenedTarget,
  type Plan,
  type Target,
  type Transport,
} from "@nixos-via/core";
import { createLocalStore } from "@nixos-via/transport-local";
import { fixedDiskBytes } from "../layout/fixedDiskBytes.js";
import { readLayout } from "../layout/readLayout.js";
import { normaliseDuration, normaliseSize, type Duration, type Size } from "../options/normalise.js";
import { resolveSystem, type SystemSource } from "../system/resolveSystem.js";
import { createTransportRegistry } from "../transports/createTransportRegistry.js";
import type { InstallError } from "../errors/operationErrorCodes.js";
import { withErrorCodes } from "../errors/OperationError.js";
import { runKexecInstall } from "../kexec/runKexecInstall.js";
import type { OperationOptions } from "./common.js";
import { readDeltaOptions } from "./readDeltaOptions.js";

/** Options of {@link install}; the CLI's `install` flags carry the same names. */
export interface InstallParameters extends OperationOptions {
  /** Where to install: `dir:PATH`, `disk:/dev/X`, `image:FILE` or `ssh://[user@]host[:port]`. */
  readonly target: string;
  /** A built toplevel (`./result`, a store path), or `{ flake: ".#web" }` to build first. */
  readonly system: SystemSource;
  /**
   * A disko-compatible layout (disko's `disko.devices`): a JSON file, or the parsed object.
   * @default the layout the system carries at `<toplevel>/disko.json`, if it has one (disk:, image:, ssh:// only)
   */
  readonly layout?: string | Layout | undefined;
  /** Run the layout's hooks (disko's `postMountHook`…): shell code, so refused unless this is set. @default false */
  readonly allowLayoutHooks?: boolean | undefined;
  /** Devices the layout may erase, each named exactly. @default [] */
  readonly wipe?: readonly string[] | undefined;
  /** Which device each of the layout's disks is, by disk name. @default the target's, or the layout's own on ssh:// */
  readonly disks?: Readonly<Record<string, string>> | undefined;
  /** The size of an image this run creates (`image:` only). */
  readonly imageSize?: Size | undefined;
  /** ssh:// only: the root the disks are (or get) mounted at. @default "/mnt" */
  readonly root?: string | undefined;
  /** ssh:// with a layout: reboot into the new system and wait for it. @default true */
  readonly reboot?: boolean | undefined;
  /** How long to wait for the rebooted machine. @default 600 (seconds) */
  readonly waitTimeout?: Duration | undefined;
  /** ssh:// only: keep the machine's SSH host keys in the new system. @default false */
  readonly copyHostKeys?: boolean | undefined;
  /** A folder of this machine whose contents go into the new root, owned by root, modes kept. */
  readonly extraFiles?: string | undefined;
  /**
   * LUKS keys on this machine for the layout's `passwordFile`/`keyFile` paths (`remote`):
   * sent inside the connection to a tmpfs on the target, mode 0600, removed when the
   * install ends; never in argv, logs, events or the plan. @default []
   */
  readonly diskEncryptionKeys?: readonly { readonly remote: string; readonly local: string }[] | undefined;
  /**
   * ssh:// only: the machine runs another Linux; take it over with kexec into an installer
   * made from the system's own closure, then install onto its disks (docs/kexec.md).
   * Needs `layout` and `wipe`. @default false
   */
  readonly kexec?: boolean | undefined;
  /** Plan everything, check everything, touch nothing: the report holds the plan. @default false */
  readonly dryRun?: boolean | undefined;
  /**
   * Send store paths whose predecessor the target has registered as deltas against it
   * (computed against this machine's copy of the predecessor); `false` sends everything in
   * full. @default to ssh:// targets only
   */
  readonly delta?: boolean | undefined;
}

/** What an install did (or, for a dry run, would do). */
export interface InstallReport {
  readonly dryRun: boolean;
  /** The whole run, step by step: what `--dry-run` prints. */
  readonly plan: Plan;
  readonly toplevel: string;
  readonly generation: number;
  readonly copiedPaths: number;
  /** Bytes that crossed to the target (compressed). */
  readonly copiedBytes: number;
  readonly durationMs: number;
  /** The new system's SSH host key, when the install read it before a reboot. */
  readonly hostKey?: string | undefined;
  /** A kexec install: the installer's peak memory use (MemTotal - MemAvailable), in bytes. */
  readonly installerPeakBytes?: number | undefined;
}

/**
 * Installs a built NixOS system onto a target: applies the layout (if any), copies and
 * registers the closure, makes generation N, activates and installs the bootloader, and
 * for a machine over SSH reboots it and waits for it. Every refusal happens before the
 * first step; a rerun after any failure finishes the job.
 *
 * @example
 * ```ts
 * const r = await install({ target: "dir:/srv/roots/web", system: "./result" });
 * if (r.isErr()) console.error(r.error.code, r.error.message);
 * else console.log(r.value.generation, r.value.copiedBytes);
 * ```
 */
export function install(parameters: InstallParameters): ResultAsync<InstallReport, InstallError> {
  const registry = parameters.registry ?? createTransportRegistry();
  const transport = registry.find(parameters.target);
  if (transport === undefined) return errAsync(new UsageError(`"${parameters.target}" is not a target: use ${registry.usage()}`));
  // 0 reads as a size here: checkImageSize refuses it with the minimum the layout needs.
  const imageSize = normaliseSize("imageSize", parameters.imageSize, 0);
  if (imageSize.isErr()) return errAsync(imageSize.error);
  const waitTimeoutS = normaliseDuration("waitTimeout", parameters.waitTimeout, 600);
  if (waitTimeoutS.isErr()) return errAsync(waitTimeoutS.error);
  const misuse = checkCombination(transport, parameters);
  if (misuse) return errAsync(misuse);

  const open = () =>
    registry.open(parameters.target, {
      purpose: "install",
      dryRun: parameters.dryRun,
      wipe: parameters.wipe,
      imageSize: imageSize.value,
      root: parameters.root ?? "/mnt",
      connection: parameters.connection,
    });
  const store = createLocalStore();
  return withErrorCodes(checkExtraFiles(parameters.extraFiles).andThen(() => readDiskEncryptionKeys(transport, parameters.diskEncryptionKeys ?? [])).andThen((keys) => {
    if (typeof parameters.system !== "string") parameters.onEvent?.({ type: "note", message: `building ${parameters.system.flake}` });
    // A connection costs round trips: open it while the closure is read. Local targets are
    // opened after, so bad input never creates an image or a mount folder.
    const early = transport.scheme === "ssh" ? open() : undefined;
    return new ResultAsync<InstallReport, NixosViaError>(
      (async () => {
        const refuse = async (error: NixosViaError) => {
          if (early) await early.andThen((o) => o.target.close());
          return err(error);
        };
        const system = await resolveSystem(store, parameters.system);
        if (system.isErr()) return refuse(system.error);
        const chosen = await chooseLayout(transport, parameters, system.value.toplevel);
        if (chosen.isErr()) return refuse(chosen.error);
        const { layout, source } = chosen.value;
        if (source !== undefined && parameters.layout === undefined) {
          parameters.onEvent?.({ type: "note", message: `using the disk layout the system carries: ${source.replace(/^the system's /, "")}` });
        }
        const unbootable = layout === undefined ? undefined : checkLayoutBootsSystem(system.value, layout);
        if (unbootable !== undefined) return refuse(unbootable);
        const tooSmall = checkImageSize(parameters, imageSize.value, layout, system.value);
        if (tooSmall !== undefined) return err(tooSmall);
        const opened = await (early ?? open());
        if (opened.isErr()) return err(opened.error);
        const ran = await runInstall(opened.value, transport, system.value, layout, { ...parameters, waitTimeoutS: waitTimeoutS.value, keys, layoutSource: source }, store);
        await (ran.isOk() ? opened.value.target.close() : opened.value.discard());
        return ran;
      })(),
    );
  }));
}

function runInstall(
  opened: OpenedTarget,
  transport: Transport,
  system: NixosSystem,
  layout: Layout | undefined,
  p: InstallParameters & { readonly waitTimeoutS: number; readonly keys: KeysToSend; readonly layoutSource: string | undefined },
  store: ReturnType<typeof createLocalStore>,
): ResultAsync<InstallReport, NixosViaError> {
  const { target } = opened;
  const reboot = transport.installOptions.includes("reboot") && layout !== undefined && (p.reboot ?? true);
  const extras = {
    copyHostKeys: p.copyHostKeys,
    extraFiles: p.extraFiles === undefined ? undefined : resolve(p.extraFiles),
    readHostKey: reboot,
    reboot,
    waitTimeoutS: p.waitTimeoutS,
    diskEncryptionKeys: p.keys.keys,
  };
  if (p.kexec === true) {
    if (layout === undefined) return errAsync(new UsageError("--kexec installs onto the machine's own disks: give --layout FILE and --wipe DEVICE (nothing was changed)"));
    return runKexecInstall(opened, system, layout, p, extras, store);
  }
  return checkBootFolder(target, system, layout)
    .andThen(() => planLayoutFor(layout, opened, transport, p))
    .andThen((layoutPlan) => {
      const deltas = readDeltaOptions(p.delta, target, store);
      return probeTarget(target, system.closure.paths.map((s) => s.path), { tools: layoutPlan?.tools ?? [], kernel: layoutPlan !== undefined, onCandidates: deltas.onCandidates }).andThen((facts) =>
        deltas.read(facts).map((delta) => ({ facts, layoutPlan, delta })),
      );
    })
    .andThen(({ facts, layoutPlan, delta }) => planInstallSteps({ system, target, facts, layout: layoutPlan, layoutSource: p.layoutSource, extras, delta }))
    .andThen((plan) => runOrPreview(plan, target, p, store));
}

/** Runs a plan (or, for a dry run, returns it) and reports what it did. */
export function runOrPreview(
  plan: Plan,
  target: Target,
  p: InstallParameters & { readonly keys: KeysToSend },
  store: ReturnType<typeof createLocalStore>,
): ResultAsync<InstallReport, NixosViaError> {
  if (p.dryRun) return okAsync({ dryRun: true, plan, toplevel: plan.toplevel, generation: plan.generation, copiedPaths: 0, copiedBytes: 0, durationMs: 0 });
  return runPlan(plan, { target, source: store, secrets: p.keys.secrets, ...(p.onEvent ? { onEvent: p.onEvent } : {}), ...(p.signal ? { signal: p.signal } : {}) }).map((summary) => {
    const peak = Number.parseInt(summary.outputs.installerPeakKib ?? "", 10);
    return {
      dryRun: false,
      plan,
      toplevel: plan.toplevel,
      generation: plan.generation,
      copiedPaths: summary.copiedPaths,
      copiedBytes: summary.copiedBytes,
      durationMs: summary.durationMs,
      hostKey: summary.outputs.hostKey?.trim(),
      ...(Number.isFinite(peak) ? { installerPeakBytes: peak * 1024 } : {}),
    };
  });
}

/**
 * A system whose bootloader installs into `/boot` (systemd-boot onto the ESP) fails at the
 * last step in a root without one, after everything was copied: refused here instead.
 * Without a layout only: a layout mounts its own `/boot`.
 */
function checkBootFolder(target: Target, system: NixosSystem, layout: Layout | undefined): ResultAsync<void, NixosViaError> {
  if (layout !== undefined || system.needsBootFolder !== true) return okAsync(undefined);
  const boot = `${target.root.replace(/\/+$/, "")}/boot`;
  return target.exec(["test", "-d", boot]).andThen((r) =>
    r.exitCode === 0
      ? okAsync(undefined)
      : errAsync(
          new TargetUnusableError(
            target.uri,
            `${system.toplevel} installs systemd-boot into /boot, and ${boot} does not exist: mkdir -m 0755 ${boot}, or mount the ESP there (nothing was touched)`,
          ),
        ),
  );
}

const OPTION_FLAGS: Readonly<Record<InstallOption, string>> = {
  layout: "--layout",
  wipe: "--wipe",
  disks: "--disk",
  imageSize: "--image-size",
  root: "--root",
  reboot: "--no-reboot",
  waitTimeout: "--wait-timeout",
  copyHostKeys: "--copy-host-keys",
  extraFiles: "--extra-files",
  kexec: "--kexec",
};

/** Options that mean nothing for this target are refused, the same way for every option. */
function checkCombination(transport: Transport, p: InstallParameters): UsageError | undefined {
  const given: Record<InstallOption, boolean> = {
    layout: p.layout !== undefined,
    wipe: (p.wipe ?? []).length > 0,
    disks: Object.keys(p.disks ?? {}).length > 0,
    imageSize: p.imageSize !== undefined,
    root: p.root !== undefined,
    reboot: p.reboot === false,
    waitTimeout: p.waitTimeout !== undefined,
    copyHostKeys: p.copyHostKeys === true,
    extraFiles: p.extraFiles !== undefined,
    kexec: p.kexec === true,
  };
  const ignored = (Object.keys(given) as InstallOption[]).filter((o) => given[o] && !transport.installOptions.includes(o));
  if (ignored.includes("layout")) {
    return new UsageError(`${transport.scheme}: targets take no --layout: mount the disks at the directory and install there, or use disk:/image:`);
  }
  if (ignored.length > 0) {
    return new UsageError(`${ignored.map((o) => OPTION_FLAGS[o]).join(", ")} ${ignored.length === 1 ? "does" : "do"} not apply to ${transport.scheme}: targets; leave ${ignored.length === 1 ? "it" : "them"} out`);
  }
  if (p.root !== undefined) {
    if (!isAbsolute(p.root)) return new UsageError(`--root ${p.root}: give an absolute path on the target, e.g. /mnt`);
    if (posix.normalize(p.root).replace(/\/+$/, "") === "") {
      return new UsageError(`--root / would install over the running system of ${p.target}: use "nixos-via deploy" for a live system, or --root DIR where the new disks are mounted`);
    }
  }
  return undefined;
}

/**
 * The layout to apply: `layout` when given; else, on targets that take one (disk:, image:,
 * ssh:// without --root), the one the system carries at `<toplevel>/disko.json`. Then the
 * options that need a layout (or none) are checked, as they are for a given one.
 */
function chooseLayout(
  transport: Transport,
  p: InstallParameters,
  toplevel: string,
): Promise<Result<{ readonly layout: Layout | undefined; readonly source: string | undefined }, NixosViaError>> {
  const options = { allowHooks: p.allowLayoutHooks === true };
  const carried = `${toplevel}/disko.json`;
  const wanted = transport.layoutDisks === "target" || (transport.layoutDisks === "named" && p.root === undefined);
  return (async () => {
    let source: string | undefined;
    let layout: Layout | undefined;
    if (p.layout !== undefined) {
      const read = typeof p.layout === "string" ? await readLayout(p.layout, options) : parseLayout(p.layout, options);
      if (read.isErr()) return err(read.error);
      layout = read.value;
      source = typeof p.layout === "string" ? p.layout : "a Layout object";
    } else if (wanted && (await stat(carried).then((s) => s.isFile(), () => false))) {
      const read = await readLayout(carried, options);
      if (read.isErr()) return err(read.error);
      layout = read.value;
      source = `the system's ${carried}`;
    }
    const misuse = checkLayoutNeeds(transport, p, layout);
    return misuse === undefined ? ok({ layout, source }) : err(misuse);
  })();
}

/** What needs a layout, or an install that has one, checked once it is known where the layout comes from. */
function checkLayoutNeeds(transport: Transport, p: InstallParameters, layout: Layout | undefined): UsageError | undefined {
  if ((p.diskEncryptionKeys ?? []).length > 0 && layout === undefined) {
    return new UsageError("--disk-encryption-keys is for installs with a layout: the layout's LUKS devices read the keys");
  }
  if (transport.layoutDisks === "target" && layout === undefined) {
    return new UsageError(`${transport.scheme}: targets need --layout FILE (disko's disko.devices as JSON), or a system that carries its layout at <toplevel>/disko.json`);
  }
  if (transport.layoutDisks === "named") {
    if (layout === undefined && p.root === undefined) {
      return new UsageError(`installing over SSH needs --layout FILE (to partition the disks), a system that carries its layout (<toplevel>/disko.json), or --root DIR (disks mounted there already)`);
    }
    if (layout !== undefined && (p.wipe ?? []).length === 0) {
      return new UsageError(`installing ${p.target} with a layout erases its disks: name them with --wipe DEVICE (nothing was touched)`);
    }
  }
  if (layout !== undefined && !mountsRoot(layout)) {
    return new UsageError(`the layout mounts nothing at /, and an install needs a root file system: add one, or use this layout with "nixos-via layout" only (nothing was touched)`);
  }
  return undefined;
}

/**
 * An image this run creates must hold the layout's fixed partitions and the closure:
 * refused here, before the file exists, rather than by sgdisk or tar halfway through.
 * The disk checked is the layout's one disk that `disks` does not place elsewhere.
 */
function checkImageSize(p: InstallParameters, bytes: number | undefined, layout: Layout | undefined, system: NixosSystem): UsageError | undefined {
  // Without a layout an image: install is refused before this, by checkCombination.
  if (bytes === undefined || layout === undefined) return undefined;
  const onImage = Object.entries(layout.disk ?? {}).filter(([name]) => p.disks?.[name] === undefined);
  if (onImage.length !== 1) return bytes > 0 ? undefined : new UsageError(`--image-size 0: give a size, e.g. 4G (nothing was touched)`);
  const [name, disk] = onImage[0]!;
  const partitions = fixedDiskBytes(disk);
  const closure = closureBytes(system.closure.paths);
  const minimum = partitions + closure;
  if (bytes >= minimum) return undefined;
  return new UsageError(
    `--image-size ${typeof p.imageSize === "string" ? p.imageSize : formatBytes(bytes)} is too small for disk "${name}" of the layout (${formatBytes(partitions)} of fixed partitions and tables) ` +
      `plus the closure (${formatBytes(closure)}): give at least ${Math.ceil(minimum / 2 ** 20)}M, more for the file systems' own space (nothing was touched)`,
  );
}

/** The extra files are read during the run: check them before its first step. */
function checkExtraFiles(folder: string | undefined): ResultAsync<void, NixosViaError> {
  if (folder === undefined) return okAsync(undefined);
  const path = resolve(folder);
  return ResultAsync.fromSafePromise(stat(path).catch(() => undefined)).andThen((found) => {
    if (found === undefined) return errAsync(new UsageError(`--extra-files ${folder}: ${path} does not exist (nothing was touched)`));
    if (!found.isDirectory()) return errAsync(new UsageError(`--extra-files ${folder}: ${path} is not a folder; give a folder laid out like the target's root`));
    return okAsync(undefined);
  });
}

/** The keys to send and their bytes, which reach the runner only, never the plan. */
export interface KeysToSend {
  readonly keys: readonly DiskEncryptionKey[];
  readonly secrets: ReadonlyMap<string, Uint8Array>;
}

/**
 * Reads every key file before anything is opened. On a local target the layout runs on
 * this machine, so a key already at its `remote` path is simply read there, not sent.
 */
function readDiskEncryptionKeys(transport: Transport, pairs: readonly { readonly remote: string; readonly local: string }[]): ResultAsync<KeysToSend, NixosViaError> {
  return ResultAsync.fromSafePromise(
    (async (): Promise<KeysToSend | UsageError> => {
      const keys: DiskEncryptionKey[] = [];
      const secrets = new Map<string, Uint8Array>();
      for (const { remote, local } of pairs) {
        const file = resolve(local);
        if (transport.scheme !== "ssh" && file === remote) continue;
        const read = await readFile(file).then(
          (bytes) => (bytes.byteLength === 0 ? `${file} is empty` : bytes),
          (error: NodeJS.ErrnoException) => `cannot read ${file} (${error.code === "ENOENT" ? "no such file" : (error.code ?? error.message)})`,
        );
        if (typeof read === "string") return new UsageError(`--disk-encryption-keys ${remote} ${local}: ${read} (nothing was touched)`);
        keys.push({ remote, source: local, bytes: read.byteLength });
        secrets.set(remote, read);
      }
      return { keys, secrets };
    })(),
  ).andThen((r) => (r instanceof UsageError ? errAsync(r) : okAsync(r)));
}

/**
 * The layout's steps for this target, on the devices {@link resolveDiskDevices} decides
 * (`disks`, the layout's own for ssh://, the target's for a one-disk layout), each of
 * which must be named by `wipe` and not be in use.
 */
function planLayoutFor(layout: Layout | undefined, opened: OpenedTarget, transport: Transport, p: InstallParameters): ResultAsync<LayoutPlan | undefined, NixosViaError> {
  if (layout === undefined) return okAsync(undefined);
  const { target } = opened;
  const named = Object.assign(Object.create(null) as Record<string, string>, p.disks ?? {});
  const mapped = resolveDiskDevices(layout, { named, targetDevice: opened.device, layoutDevices: transport.layoutDisks === "named" });
  if (mapped.isErr()) return errAsync(mapped.error);
  const devices = mapped.value;
  const others = Object.values(devices).filter((d) => d !== opened.device && d !== "/dev/loopN");
  if (!p.dryRun) {
    const unnamed = others.filter((d) => !(p.wipe ?? []).includes(d));
    if (unnamed.length > 0) return errAsync(new UsageError(`the layout erases ${unnamed.join(", ")}: pass --wipe for each (nothing was touched)`));
  }
  const checks = target.capabilities.remote ? Object.values(devices) : others;
  return checks
    .reduce<ResultAsync<void, NixosViaError>>((acc, d) => acc.andThen(() => checkBlockDevice(target, d, target.uri)), okAsync(undefined))
    .andThen(() => planLayout(layout, { devices, mountRoot: target.root, allowHooks: p.allowLayoutHooks === true }));
}
