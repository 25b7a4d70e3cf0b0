import { err, ok, type Result } from "neverthrow";
import { parseLayout, UsageError, type FleetHost, type LayoutValidationError } from "@nixos-via/core";
import type { InstallParameters } from "../operations/install.js";

/**
 * The options of {@link install} a host's `install` declares: its layout (a file, or
 * disko's devices inline, checked here), the devices it may wipe, the root it mounts at
 * (`install.root`, else the host's `root`). `kexec` is refused: this build takes over
 * machines from their rescue system only.
 */
export function installParameters(host: FleetHost): Result<Pick<InstallParameters, "target" | "system" | "layout" | "wipe" | "disks" | "root" | "copyHostKeys" | "extraFiles">, UsageError | LayoutValidationError> {
  const i = host.install;
  if (i?.method === "kexec") return err(new UsageError(`${host.name}: install.method "kexec" is not available in this nixos-via; boot the machine into a rescue system and use "rescue"`));
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
  });
}
