import type { Layout } from "@nixos-via/core";

/**
 * How a machine that is not NixOS yet gets it: the options of the SDK's `install`, for
 * the target the resource names. Over SSH that is its rescue system: a layout and the
 * devices it may wipe, or disks mounted at `root` already.
 */
export interface NixosHostInstall {
  /**
   * `rescue`: the machine is booted into a rescue system (or any Linux that does not run
   * from the disks the layout erases). `kexec` takes over a machine running another Linux (docs/kexec.md).
   * @default "rescue"
   */
  readonly method?: "rescue" | "kexec" | undefined;
  /** A disko-compatible layout: a JSON file on this machine, or the parsed `disko.devices`. */
  readonly layout?: string | Layout | undefined;
  /** Devices the layout may erase, each named exactly. @default [] */
  readonly wipe?: readonly string[] | undefined;
  /** Which device each of the layout's disks is, by disk name. @default the layout's own */
  readonly disks?: Readonly<Record<string, string>> | undefined;
  /** Keep the rescue system's SSH host keys in the new system. @default false */
  readonly copyHostKeys?: boolean | undefined;
  /** A folder of this machine whose contents go into the new root. */
  readonly extraFiles?: string | undefined;
  /** How long to wait for the machine to come back running the new system. @default "10m" */
  readonly waitTimeout?: string | number | undefined;
}

/** How to log in over SSH; the host key is the resource's business (see {@link NixosHostInputs.hostKey}). */
export interface NixosHostSsh {
  /** Private key files to offer. @default the agent and ~/.ssh/id_* */
  readonly identityFiles?: readonly string[] | undefined;
  /** The client config file; `false` reads none. @default ~/.ssh/config */
  readonly configFile?: string | false | undefined;
}

/** What a {@link NixosHost} is given, as plain values (the provider's inputs). */
export interface NixosHostInputs {
  /** The machine: `ssh://[user@]host[:port]`, or `dir:PATH` for a root on this machine. */
  readonly target: string;
  /** A built toplevel (a store path, `./result`), or `{ flake: ".#web" }`, built on this machine. */
  readonly system: string | { readonly flake: string };
  /**
   * ssh:// only: where the system's root is on the machine. `/` is the running system,
   * which is switched; another folder is a root that is activated in place.
   * @default "/"
   */
  readonly root?: string | undefined;
  /** How to install when the machine is not NixOS yet. @default a plain install (enough for dir:) */
  readonly install?: NixosHostInstall | undefined;
  /**
   * The machine's SSH host public key (`ssh-ed25519 AAAA…`), e.g. from the cloud API.
   * Without it the key is pinned on first contact and kept in the state; a key that
   * differs from the pinned one is always refused.
   */
  readonly hostKey?: string | undefined;
  /** Shell commands run on the switched system; one failing rolls it back. @default [] */
  readonly healthChecks?: readonly string[] | undefined;
  /** `switch` now, or `boot`: the new system at the next reboot. @default "switch" */
  readonly action?: "switch" | "boot" | undefined;
  /** Confirm over a new connection or let the target roll itself back. @default true */
  readonly magicRollback?: boolean | undefined;
  /** How long the target waits for the confirmation. @default 30 (seconds) */
  readonly confirmTimeout?: string | number | undefined;
  /** How to log in over SSH. */
  readonly ssh?: NixosHostSsh | undefined;
}

/** What the last create, update or refresh ended with. */
export type NixosHostOutcome = "installed" | "confirmed" | "done" | "activated" | "unchanged" | "refreshed";

/** The state of a {@link NixosHost}: its inputs and what the machine runs. */
export interface NixosHostOutputs extends NixosHostInputs {
  /** The toplevel the machine runs (`/run/current-system`; for a stored root its current generation). */
  readonly toplevel: string;
  /** The current generation of its system profile. */
  readonly generation: number;
  /** The host key every connection is checked against (`type base64`), none for a local root. */
  readonly hostKey?: string | undefined;
  readonly lastOutcome: NixosHostOutcome;
}
