import { readFile, stat } from "node:fs/promises";
import { isAbsolute, posix, resolve } from "node:path";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import {
  checkBlockDevice,
  formatBytes,
  formatPlan,
  parseTargetUri,
  planInstall,
  planLayout,
  probeTarget,
  resolveDiskDevices,
  runPlan,
  UsageError,
  type DiskEncryptionKey,
  type Layout,
  type LayoutPlan,
  type NixosViaError,
  type InstallExtras,
  type Plan,
  type Target,
  type TargetSpec,
} from "@nixos-via/core";
import { waitForSystem, type SshTarget } from "@nixos-via/transport-ssh";
import { createLocalStore } from "@nixos-via/transport-local";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { parseDiskOptions, readLayout } from "../readLayout.js";
import { createRenderer } from "../render/createRenderer.js";
import { resolveSystem } from "../resolveSystem.js";
import { resolveTarget, type ResolvedTarget } from "../resolveTarget.js";
import type { InstallOptions } from "./installOptions.js";

/**
 * `nixos-via install TARGET`: read (or build) the system, open and probe the target,
 * plan (layout, copy, register, profile, activation), then print the plan (`--dry-run`)
 * or run it. Every refusal happens before the first step.
 */
export async function install(targetUri: string, options: InstallOptions, io: Io, signal: AbortSignal): Promise<ExitCode> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const fail = failure(renderer);
  const spec = parseTargetUri(targetUri);
  if (spec.isErr()) return fail(spec.error);
  const misuse = checkCombination(spec.value, options) ?? (await checkExtraFiles(options));
  if (misuse) return fail(misuse);
  const keys = await readDiskEncryptionKeys(spec.value, options);
  if (keys instanceof UsageError) return fail(keys);

  const store = createLocalStore();
  if (options.flake !== undefined) renderer.info(`building ${options.flake}`);
  // An SSH connection costs round trips: open it while the closure is read. Local targets
  // are opened after, so bad input never creates an image or a mount folder.
  const early = spec.value.kind === "ssh" ? resolveTarget(spec.value, options) : undefined;
  const system = await resolveSystem(store, options);
  const layout = options.layout === undefined ? undefined : await readLayout(options.layout);
  const abandon = async (error: NixosViaError): Promise<ExitCode> => {
    if (early) await early.andThen((r) => r.target.close());
    return fail(error);
  };
  if (system.isErr()) return abandon(system.error);
  if (layout?.isErr()) return abandon(layout.error);
  const resolved = await (early ?? resolveTarget(spec.value, options));
  if (resolved.isErr()) return fail(resolved.error);
  const { target } = resolved.value;
  let succeeded = false;
  try {
    const plan = await planLayoutFor(layout?.isOk() ? layout.value : undefined, resolved.value, options)
      .andThen((layoutPlan) =>
        probeTarget(target, system.value.closure.paths.map((p) => p.path), { tools: layoutPlan?.tools ?? [] }).map((facts) => ({
          facts,
          layoutPlan,
        })),
      )
      .andThen(({ facts, layoutPlan }) =>
        planInstall({ system: system.value, target, facts, layout: layoutPlan, extras: { ...extrasFor(spec.value, options), diskEncryptionKeys: keys.keys } }),
      );
    if (plan.isErr()) return fail(plan.error);

    if (options.dryRun) {
      succeeded = true;
      if (options.json) io.stdout.write(`${JSON.stringify({ type: "plan", dryRun: true, plan: plan.value })}\n`);
      else io.stdout.write(formatPlan(plan.value));
      return ExitCode.Ok;
    }
    const summary = await runPlan(plan.value, { target, source: store, secrets: keys.secrets, onEvent: (e) => renderer.event(e), signal });
    if (summary.isErr()) return fail(summary.error);
    if (isSshTarget(target) && extrasFor(spec.value, options).reboot) {
      renderer.info(`waiting for ${targetUri} to come back running the new system`);
      const timeout = options.waitTimeout === undefined ? undefined : options.waitTimeout * 1000;
      const up = await waitForSystem(target, { toplevel: plan.value.toplevel, hostKey: summary.value.captured["hostKey"], timeoutMs: timeout, signal });
      if (up.isErr()) return fail(up.error);
    }
    succeeded = true;
    report(renderer, targetUri, plan.value, summary.value);
    return ExitCode.Ok;
  } finally {
    await (succeeded ? target.close() : resolved.value.discard());
  }
}

function report(
  renderer: ReturnType<typeof createRenderer>,
  targetUri: string,
  plan: Plan,
  { copiedPaths, copiedBytes, durationMs }: { copiedPaths: number; copiedBytes: number; durationMs: number },
): void {
  renderer.result(
    `installed ${plan.toplevel} on ${targetUri} as generation ${plan.generation}: ` +
      `copied ${copiedPaths} paths (${formatBytes(copiedBytes)}) in ${(durationMs / 1000).toFixed(1)}s`,
    { ok: true, toplevel: plan.toplevel, target: targetUri, generation: plan.generation, copiedPaths, copiedBytes, durationMs },
  );
}

/** Host keys, extra files and the reboot, as the options and the target kind ask. */
function extrasFor(spec: TargetSpec, options: InstallOptions): InstallExtras {
  const reboot = spec.kind === "ssh" && options.layout !== undefined && options.reboot;
  const extraFiles = options.extraFiles === undefined ? undefined : resolve(options.extraFiles);
  return { copyHostKeys: options.copyHostKeys, extraFiles, readHostKey: reboot, reboot };
}

function isSshTarget(target: Target): target is SshTarget {
  return "reconnect" in target;
}

/** Options that make no sense together, refused before anything is opened. */
function checkCombination(spec: TargetSpec, options: InstallOptions): UsageError | undefined {
  if (spec.kind === "dir" && options.layout !== undefined) {
    return new UsageError("dir: targets take no --layout: mount the disks at the directory and install there, or use disk:/image:");
  }
  if ((spec.kind === "disk" || spec.kind === "image") && options.layout === undefined) {
    return new UsageError(`${spec.kind}: targets need --layout FILE (disko's disko.devices as JSON)`);
  }
  if (spec.kind !== "image" && options.imageSize !== undefined) return new UsageError("--image-size is for image: targets");
  if (spec.kind !== "ssh" && options.copyHostKeys) return new UsageError("--copy-host-keys is for ssh:// targets");
  if (options.diskEncryptionKeys.length > 0 && options.layout === undefined) {
    return new UsageError("--disk-encryption-keys is for installs with --layout: the layout's LUKS devices read the keys");
  }
  if (spec.kind === "ssh" && options.root !== undefined) {
    if (!isAbsolute(options.root)) return new UsageError(`--root ${options.root}: give an absolute path on the target, e.g. /mnt`);
    if (posix.normalize(options.root).replace(/\/+$/, "") === "") {
      return new UsageError(`--root / would install over the running system of ${spec.uri}: use "nixos-via deploy" for a live system, or --root DIR where the new disks are mounted`);
    }
  }
  return undefined;
}

/** `--extra-files` is read during the run: checked before its first step. */
async function checkExtraFiles(options: InstallOptions): Promise<UsageError | undefined> {
  if (options.extraFiles === undefined) return undefined;
  const folder = resolve(options.extraFiles);
  const found = await stat(folder).catch(() => undefined);
  if (found === undefined) return new UsageError(`--extra-files ${options.extraFiles}: ${folder} does not exist (nothing was touched)`);
  if (!found.isDirectory()) return new UsageError(`--extra-files ${options.extraFiles}: ${folder} is not a folder; give a folder laid out like the target's root`);
  return undefined;
}

/** The keys to send and their bytes, which reach the runner only, never the plan. */
interface KeysToSend {
  readonly keys: readonly DiskEncryptionKey[];
  readonly secrets: ReadonlyMap<string, Uint8Array>;
}

/**
 * Reads every `--disk-encryption-keys` file before anything is opened. On disk: and
 * image: targets the layout runs here, so a key already at its REMOTE path is simply read
 * there and not sent.
 */
async function readDiskEncryptionKeys(spec: TargetSpec, options: InstallOptions): Promise<KeysToSend | UsageError> {
  const keys: DiskEncryptionKey[] = [];
  const secrets = new Map<string, Uint8Array>();
  for (const { remote, local } of options.diskEncryptionKeys) {
    const file = resolve(local);
    if (spec.kind !== "ssh" && file === remote) continue;
    const read = await readFile(file).then(
      (bytes) => (bytes.byteLength === 0 ? `${file} is empty` : bytes),
      (error: NodeJS.ErrnoException) => `cannot read ${file} (${error.code === "ENOENT" ? "no such file" : (error.code ?? error.message)})`,
    );
    if (typeof read === "string") return new UsageError(`--disk-encryption-keys ${remote} ${local}: ${read} (nothing was touched)`);
    keys.push({ remote, source: local, bytes: read.byteLength });
    secrets.set(remote, read);
  }
  return { keys, secrets };
}

/**
 * The layout's steps for this target, on the devices {@link resolveDiskDevices} decides
 * (`--disk`, the layout's own for ssh://, the target's for a one-disk layout), each of
 * which must be named by `--wipe` and not be in use.
 */
function planLayoutFor(
  layout: Layout | undefined,
  resolved: ResolvedTarget,
  options: InstallOptions,
): ResultAsync<LayoutPlan | undefined, NixosViaError> {
  if (layout === undefined) return okAsync(undefined);
  const named = parseDiskOptions(options.disk);
  if (named instanceof UsageError) return errAsync(named);
  const { target } = resolved;
  const mapped = resolveDiskDevices(layout, { named, targetDevice: resolved.device, layoutDevices: target.capabilities.remote });
  if (mapped.isErr()) return errAsync(mapped.error);
  const devices = mapped.value;
  const others = Object.values(devices).filter((d) => d !== resolved.device && d !== "/dev/loopN");
  if (!options.dryRun) {
    const unnamed = others.filter((d) => !options.wipe.includes(d));
    if (unnamed.length > 0) {
      return errAsync(new UsageError(`the layout erases ${unnamed.join(", ")}: pass --wipe for each (nothing was touched)`));
    }
  }
  const checks = target.capabilities.remote ? Object.values(devices) : others;
  return checks
    .reduce<ResultAsync<void, NixosViaError>>((acc, d) => acc.andThen(() => checkBlockDevice(target, d, target.uri)), okAsync(undefined))
    .andThen(() => planLayout(layout, { devices, mountRoot: target.root }));
}
