import { err, ok, type Result } from "neverthrow";
import { parseLayout, type FleetHost, type LayoutValidationError } from "@nixos-via/core";
import type { InstallParameters } from "../operations/install.js";

/**
 * The options of {@link install} a host's `install` declares: its layout (a file, or
 * disko's devices inline, checked here), the devices it may wipe, the root it mounts at
 * (`install.root`, else the host's `root`), and `method: "kexec"` for a machine that runs
 * another Linux instead of a rescue system (docs/kexec.md).
 */
export function installParameters(host: FleetHost): Result<Pick<InstallParameters, "target" | "system" | "layout" | "wipe" | "disks" | "root" | "copyHostKeys" | "extraFiles" | "kexec">, LayoutValidationError> {
  const i = host.install;
  const layout = i?.layout === undefined || typeof i.layout === "string" ? ok(i?.layout) : parseLayout(i.layout);
  if (layout.isErr()) return err(layout.error);
  const root = i?.root ?? host.root;
  return ok({
    target: host.target,
    system: host.system.path,
    ...(layout.value === undefined ? {} : { layout: layout.value }),
    ...(i === undefined || i.wipe.length === 0 ? {} : { wipe: i.wipe }),
    ...(i?.disks === undefined ? {} : { disks: i.disks }),
    ...(root === undefined ? {} : { root }),
    ...(i?.copyHostKeys === undefined ? {} : { copyHostKeys: i.copyHostKeys }),
    ...(i?.extraFiles === undefined ? {} : { extraFiles: i.extraFiles }),
    ...(i?.method === "kexec" ? { kexec: true } : {}),
  });
}
