import * as pulumi from "@pulumi/pulumi";
import type { NixosHostInputs, NixosHostOutcome } from "./NixosHostInputs.js";
import type { NixosHostProvider } from "./nixosHostProvider.js";

/** The inputs of a {@link NixosHost}; each may be an Output of another resource. */
export type NixosHostArgs = { readonly [K in keyof NixosHostInputs]: pulumi.Input<NonNullable<NixosHostInputs[K]>> | undefined } & {
  readonly target: pulumi.Input<string>;
  readonly system: pulumi.Input<NixosHostInputs["system"]>;
};

/**
 * What Pulumi stores and runs in its provider process: each method loads this package
 * there and calls {@link nixosHostProvider}. Pulumi serializes a dynamic provider's code
 * with what it captures; these methods capture nothing, so neither ssh2 nor the SDK is
 * serialized into the state, and the provider that runs is the installed package's.
 */
const PACKAGE = "@nixos-via/pulumi";
const load = async (): Promise<NixosHostProvider> => ((await import(PACKAGE)) as { nixosHostProvider: NixosHostProvider }).nixosHostProvider;
/** @internal */
export const serializableProvider: pulumi.dynamic.ResourceProvider = {
  check: async (olds, news) => (await load()).check(olds, news),
  create: async (inputs) => (await load()).create(inputs),
  diff: async (id, olds, news) => (await load()).diff(id, olds, news),
  read: async (id, props) => (await load()).read(id, props),
  update: async (id, olds, news) => (await load()).update(id, olds, news),
  delete: async (id, props) => (await load()).delete(id, props),
};

/**
 * A NixOS host: a machine (`ssh://…`, or a `dir:` root) that runs the given system.
 * Creating it installs NixOS when the machine is not NixOS yet (`install`), or deploys;
 * a preview reads what the machine runs and says what an update would send and whether it
 * switches or reboots; an update deploys with the safe switch (confirmed over a new
 * connection, health-checked) and fails when the machine rolled back; deleting it leaves
 * the machine as it is. The host key is `hostKey`, or the one pinned on first contact.
 *
 * @example
 * ```ts
 * const web = new NixosHost("web1", {
 *   target: server.ipv4Address.apply((a) => `ssh://root@${a}`),
 *   hostKey: server.sshHostKey,
 *   system: "./result",
 *   install: { layout: "./disks.json", wipe: ["/dev/sda"] },
 *   healthChecks: ["curl -fs localhost"],
 * });
 * ```
 */
export class NixosHost extends pulumi.dynamic.Resource {
  /** The toplevel the machine runs. */
  declare readonly toplevel: pulumi.Output<string>;
  /** The current generation of its system profile. */
  declare readonly generation: pulumi.Output<number>;
  /** The SSH host key every connection is checked against (`type base64`). */
  declare readonly hostKey: pulumi.Output<string | undefined>;
  /** What the last create or update ended with. */
  declare readonly lastOutcome: pulumi.Output<NixosHostOutcome>;

  constructor(name: string, args: NixosHostArgs, opts?: pulumi.CustomResourceOptions) {
    super(serializableProvider, name, { toplevel: undefined, generation: undefined, lastOutcome: undefined, ...args, hostKey: args.hostKey }, opts, "nixos-via", "NixosHost");
  }
}
