/** What the kexec probe found on a running machine (kexecProbe.sh). */
export interface KexecFacts {
  readonly machine: string;
  readonly kernelRelease: string;
  readonly uid: number;
  readonly memTotalKib: number;
  readonly memAvailableKib: number;
  /** A tmpfs folder the installer is uploaded to (`/run`). */
  readonly uploadDir: string | undefined;
  /** `/proc/sys/kernel/kexec_load_disabled` is 1. */
  readonly kexecLoadDisabled: boolean;
  /** The kernel was built with kexec (`/sys/kernel/kexec_loaded` exists). */
  readonly kexecSupported: boolean;
  /** The kernel lockdown mode (`none`, `integrity`, `confidentiality`), when the kernel has it. */
  readonly lockdown: string | undefined;
  readonly secureBoot: boolean;
  readonly xenPv: boolean;
  /** The container manager when the commands run in a container (`docker`, `lxc`…). */
  readonly container: string | undefined;
  readonly hasTar: boolean;
  /**
   * The machine already runs the nixos-via installer (an earlier run switched to it and
   * died): the closure's store paths it holds in RAM, from its marker file. The connection
   * that found it checked the host key the machine had before the switch.
   */
  readonly installerPaths?: readonly string[] | undefined;
  /** An earlier run ran `kexec -e` less than a minute ago and the machine has not switched yet. */
  readonly kexecSwitching?: boolean | undefined;
}

/** Reads the kexec probe's `key=value` lines. */
export function parseKexecFacts(stdout: string): KexecFacts {
  const v = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) v.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const int = (k: string) => Number.parseInt(v.get(k) ?? "0", 10) || 0;
  return {
    machine: v.get("machine") ?? "",
    kernelRelease: v.get("kernel") ?? "",
    uid: int("uid"),
    memTotalKib: int("mem_total_kib"),
    memAvailableKib: int("mem_available_kib"),
    uploadDir: v.get("upload_dir"),
    kexecLoadDisabled: v.get("kexec_load_disabled") === "1",
    kexecSupported: v.get("kexec_support") === "1",
    lockdown: v.get("lockdown"),
    secureBoot: v.get("secure_boot") === "1",
    xenPv: v.get("xen_pv") === "1",
    container: v.get("container"),
    hasTar: v.get("tar") === "1",
    ...(v.get("kexec_switching") === "1" ? { kexecSwitching: true } : {}),
    ...(v.has("installer_paths") ? { installerPaths: (v.get("installer_paths") ?? "").split(/\s+/).filter(Boolean) } : {}),
  };
}
