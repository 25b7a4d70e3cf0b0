import { formatBytes, UsageError } from "@nixos-via/core";
import { install as installSystem, type InstallReport } from "nixos-via";
import { toConnection } from "../connectionOptions.js";
import { ExitCode } from "../exitCodes.js";
import { failure } from "../failure.js";
import type { Io } from "../Io.js";
import { parseDiskOptions } from "../parseDiskOptions.js";
import { createRenderer } from "../render/createRenderer.js";
import { printPlan } from "../render/printPlan.js";
import type { InstallOptions } from "./installOptions.js";

/** `nixos-via install TARGET`: the SDK's {@link installSystem} with the flags as its options. */
export async function install(targetUri: string, options: InstallOptions, io: Io, signal: AbortSignal): Promise<ExitCode> {
  const renderer = createRenderer(io, { json: options.json ?? false });
  const fail = failure(renderer);
  const disks = parseDiskOptions(options.disk);
  if (disks instanceof Error) return fail(disks);
  if ((options.system === undefined) === (options.flake === undefined)) {
    return fail(new UsageError("name the system with exactly one of --system PATH or --flake REF#NAME"));
  }
  const installed = await installSystem({
    target: targetUri,
    system: options.flake === undefined ? options.system! : { flake: options.flake },
    layout: options.layout,
    allowLayoutHooks: options.allowLayoutHooks,
    wipe: options.wipe,
    disks,
    imageSize: options.imageSize,
    root: options.root,
    reboot: options.reboot,
    waitTimeout: options.waitTimeout,
    copyHostKeys: options.copyHostKeys,
    kexec: options.kexec,
    extraFiles: options.extraFiles,
    diskEncryptionKeys: options.diskEncryptionKeys,
    dryRun: options.dryRun,
    delta: options.delta,
    connection: toConnection(targetUri, options),
    onEvent: (e) => renderer.event(e),
    signal,
  });
  if (installed.isErr()) return fail(installed.error);
  if (installed.value.dryRun) {
    printPlan(io, installed.value.plan, options);
    return ExitCode.Ok;
  }
  report(renderer, targetUri, installed.value);
  return ExitCode.Ok;
}

function report(renderer: ReturnType<typeof createRenderer>, targetUri: string, r: InstallReport): void {
  renderer.result(
    `installed ${r.toplevel} on ${targetUri} as generation ${r.generation}: copied ${r.copiedPaths} paths (${formatBytes(r.copiedBytes)}) in ${(r.durationMs / 1000).toFixed(1)}s` +
      (r.installerPeakBytes === undefined ? "" : `; the kexec installer's peak memory use was ${formatBytes(r.installerPeakBytes)}`),
    {
      ok: true, toplevel: r.toplevel, target: targetUri, generation: r.generation, copiedPaths: r.copiedPaths, copiedBytes: r.copiedBytes, durationMs: r.durationMs,
      ...(r.installerPeakBytes === undefined ? {} : { installerPeakBytes: r.installerPeakBytes }),
    },
  );
}
