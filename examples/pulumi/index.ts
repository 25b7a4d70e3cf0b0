// A Pulumi program with one NixOS host: `pulumi up` installs NixOS onto the server from its
// rescue system the first time (wiping /dev/sda with ./disks.json), then deploys .#web with
// the safe switch on every change. `pulumi preview` reads what the server runs and says
// what an update would send and whether it switches or reboots. Type-checked by the test
// suite (it is in the root tsconfig.json); see docs/pulumi.md.
import * as pulumi from "@pulumi/pulumi";
import { NixosHost } from "@nixos-via/pulumi";

const config = new pulumi.Config();

// With a cloud provider's package the address and key come from the server resource, e.g.
//   const server = new hcloud.Server("web1", { …, rescue: "linux64" });
//   target: server.ipv4Address.apply((a) => `ssh://root@${a}`)
const address = config.require("address");
// Strict host keys: the server's key from its cloud API, or (left empty) the first one seen.
const hostKey = config.get("hostKey");

const web = new NixosHost("web1", {
  target: pulumi.interpolate`ssh://root@${address}`,
  hostKey: hostKey === "" ? undefined : hostKey, // else pinned on first contact, kept in the state
  system: { flake: ".#web" },
  install: { method: "rescue", layout: "./disks.json", wipe: ["/dev/sda"] },
  healthChecks: ["curl -fs localhost"],
});

export const toplevel = web.toplevel;
export const generation = web.generation;
export const pinnedHostKey = web.hostKey;
export const lastOutcome = web.lastOutcome;
