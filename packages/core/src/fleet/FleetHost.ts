/** How a host that runs no NixOS yet gets installed: the options of `install`, per host. */
export interface FleetInstall {
  /** How the machine is taken over. `rescue`: it is booted into a rescue system already. @default "rescue" */
  readonly method: "rescue" | "kexec";
  /** A disko-compatible layout: a JSON file (relative to the network file) or the object. */
  readonly layout?: string | Readonly<Record<string, unknown>> | undefined;
  /** Devices the layout may erase, each named exactly. @default [] */
  readonly wipe: readonly string[];
  /** Which device each of the layout's disks is. */
  readonly disks?: Readonly<Record<string, string>> | undefined;
  /** ssh:// only: where the new root is (or gets) mounted. @default the host's `root`, else `/mnt` with a layout */
  readonly root?: string | undefined;
  readonly copyHostKeys?: boolean | undefined;
  readonly extraFiles?: string | undefined;
}

/** The system a host should run: a built toplevel, or a derivation still to build. */
export interface FleetSystem {
  /** The toplevel's store path (its output path, before it is built). */
  readonly path: string;
  /** The derivation that builds it, when the network file gave one. */
  readonly drvPath?: string | undefined;
}

/** One host of a network, as the network file (or a TypeScript object) declares it. */
export interface FleetHost {
  readonly name: string;
  /** Any target URI that holds a system: `dir:PATH`, `ssh://[user@]host[:port]`. */
  readonly target: string;
  readonly system: FleetSystem;
  /** ssh:// only: where the host's system root is. @default "/" (the machine's live system) */
  readonly root?: string | undefined;
  /** How to install it when it runs no NixOS yet; a `dir:` root needs none. */
  readonly install?: FleetInstall | undefined;
  /** Shell commands run on the switched system; one failing rolls it back. @default [] */
  readonly healthChecks: readonly string[];
  /** Names `--on` selects the host by, besides its own. @default [] */
  readonly tags: readonly string[];
}
