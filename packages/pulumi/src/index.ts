/**
 * `@nixos-via/pulumi`: a Pulumi resource for a NixOS host ({@link NixosHost}) over the
 * nixos-via SDK. Creating it installs NixOS when the machine is not NixOS yet, then it is
 * deployed with the safe switch; a preview reads what the machine runs and says what an
 * update would send and how it switches; SSH host keys are checked strictly.
 *
 * @example
 * ```ts
 * import { NixosHost } from "@nixos-via/pulumi";
 * const web = new NixosHost("web1", {
 *   target: server.ipv4Address.apply((a) => `ssh://root@${a}`),
 *   system: { flake: ".#web" },
 *   install: { layout: "./disks.json", wipe: ["/dev/sda"] },
 *   healthChecks: ["curl -fs localhost"],
 * });
 * export const generation = web.generation;
 * ```
 *
 * @packageDocumentation
 */
export { NixosHost, type NixosHostArgs } from "./NixosHost.js";
export { createNixosHostProvider, nixosHostProvider, type NixosHostProvider, type NixosHostProviderOptions } from "./nixosHostProvider.js";
export { describeHostChange, type HostChange } from "./HostChange.js";
export type { NixosHostInputs, NixosHostInstall, NixosHostOutcome, NixosHostOutputs, NixosHostSsh } from "./NixosHostInputs.js";
