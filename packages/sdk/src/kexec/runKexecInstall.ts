import { errAsync, okAsync, ResultAsync } from "neverthrow";
import {
  checkKexec,
  KEXEC_PROBE_SCRIPT,
  parseKexecFacts,
  planKexecInstall,
  planLayout,
  ProbeError,
  resolveDiskDevices,
  TargetUnusableError,
  UsageError,
  type InstallExtras,
  type KexecFacts,
  type Layout,
  type NixosSystem,
  type NixosViaError,
  type OpenedTarget,
  type Target,
} from "@nixos-via/core";
import type { createLocalStore } from "@nixos-via/transport-local";
import { runOrPreview, type InstallParameters, type InstallReport, type KeysToSend } from "../operations/install.js";
import { buildKexecInstaller } from "./buildKexecInstaller.js";

const NO_INSTALLER = { uploadBytes: 0, kernelBytes: 0, initrdBytes: 0, unpackedBytes: 0 } as const;

/**
 * `install --kexec`: probes whether the running machine can kexec (refusing before any
 * change) or already runs the installer (a rerun: no second kexec), builds the installer from the system's closure with the layout's tools, plans
 * the takeover and the install as one plan, and runs it (or returns it, for a dry run).
 */
export function runKexecInstall(
  opened: OpenedTarget,
  system: NixosSystem,
  layout: Layout,
  p: InstallParameters & { readonly keys: KeysToSend },
  extras: InstallExtras,
  store: ReturnType<typeof createLocalStore>,
): ResultAsync<InstallReport, NixosViaError> {
  const { target } = opened;
  return probeKexec(target)
    .andThen((facts) => {
      if (facts.installerPaths !== undefined) {
        // A rerun after an earlier run died past `kexec -e`: the connection checked the host key.
        p.onEvent?.({ type: "note", message: `${target.uri} already runs the nixos-via installer (an earlier run switched to it): no second kexec, the install continues there` });
        return okAsync(facts);
      }
      // Everything but RAM is known before the installer exists: refuse without building it.
      const early = checkKexec(target.uri, facts, { ...NO_INSTALLER, path: "", storePaths: [], reusedBytes: 0, tools: [], fromHost: [], kernelRelease: "", modules: [] });
      return early === undefined ? okAsync(facts) : errAsync(early);
    })
    .andThen((facts) => planLayoutOnMachine(layout, target, p).map((layoutPlan) => ({ facts, layoutPlan })))
    .andThen(({ facts, layoutPlan }) => {
      p.onEvent?.({ type: "note", message: "building the kexec installer from the system's closure" });
      return buildKexecInstaller(system, layoutPlan.tools).map((installer) => ({ facts, layoutPlan, installer }));
    })
    .andThen(({ facts, layoutPlan, installer }) => planKexecInstall({ system, target, kexecFacts: facts, installer, layout: layoutPlan, extras }))
    .andThen((plan) => runOrPreview(plan, target, p, store));
}

function probeKexec(target: Target): ResultAsync<KexecFacts, NixosViaError> {
  return target.exec(["sh", "-c", KEXEC_PROBE_SCRIPT, "nixos-via-kexec-probe"]).andThen((r) =>
    r.exitCode === 0 ? okAsync(parseKexecFacts(r.stdout)) : errAsync(new ProbeError(`the kexec probe of ${target.uri} exited with ${r.exitCode}`, { details: r.stderr })),
  );
}

/**
 * The layout's disks are the running system's own: in use now, free once the installer
 * runs. Each must be a block device here and be named by `wipe`.
 */
function planLayoutOnMachine(layout: Layout, target: Target, p: InstallParameters) {
  const named = Object.assign(Object.create(null) as Record<string, string>, p.disks ?? {});
  const mapped = resolveDiskDevices(layout, { named, targetDevice: undefined, layoutDevices: true });
  if (mapped.isErr()) return errAsync(mapped.error);
  const devices = Object.values(mapped.value);
  const unnamed = devices.filter((d) => !(p.wipe ?? []).includes(d));
  if (unnamed.length > 0 && !p.dryRun) return errAsync(new UsageError(`the layout erases ${unnamed.join(", ")}: pass --wipe for each (nothing was touched)`));
  return devices
    .reduce<ResultAsync<void, NixosViaError>>(
      (acc, d) =>
        acc.andThen(() =>
          target.exec(["test", "-b", d]).andThen((r) => (r.exitCode === 0 ? okAsync(undefined) : errAsync(new TargetUnusableError(target.uri, `${target.uri} has no block device ${d} (nothing was changed)`)))),
        ),
      okAsync(undefined),
    )
    .andThen(() => planLayout(layout, { devices: mapped.value, mountRoot: target.root }));
}
