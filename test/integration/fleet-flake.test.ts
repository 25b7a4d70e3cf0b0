import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fleetStatePath, planFleet, setFleetArgs } from "nixos-via";
import { NIX_ENV } from "../support/nix.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

// A flake output of network.nix's shape is a network too (`--network path:DIR#fleet`),
// read by `nix eval` with the stored arguments, its derivations built like a file's.
describe("a flake output as the network", () => {
  let work: string;
  let saved: string | undefined;
  let cwd: string;
  beforeAll(async () => {
    work = await tempRoot("nixos-via-fleet-flake-");
    saved = process.env["NIX_CONFIG"];
    process.env["NIX_CONFIG"] = NIX_ENV.NIX_CONFIG;
    cwd = process.cwd();
    process.chdir(work);
    await mkdir(join(work, "flake", "bbdir"), { recursive: true });
    await copyFile("/usr/bin/busybox", join(work, "flake", "bbdir", "busybox"));
    for (const h of ["h-1", "h-2", "h-3"]) await mkdir(join(work, "roots", h), { recursive: true, mode: 0o755 });
    await writeFile(join(work, "flake", "flake.nix"), `{
  outputs = { self }:
    let
      bb = builtins.path { path = ./bbdir; name = "busybox-static"; };
      top = derivation { name = "nixos-system-fleet-flake"; system = "x86_64-linux"; builder = "\${bb}/busybox"; args = [ "sh" "-c" "\${bb}/busybox mkdir $out" ]; };
    in {
      fleet = { n ? 2 }: builtins.listToAttrs (builtins.genList (i: {
        name = "h-\${toString (i + 1)}";
        value = { target = "dir:${work}/roots/h-\${toString (i + 1)}"; system = top; tags = [ "flake" ]; };
      }) n);
    };
}
`);
  });
  afterAll(async () => {
    process.chdir(cwd);
    if (saved === undefined) delete process.env["NIX_CONFIG"];
    else process.env["NIX_CONFIG"] = saved;
    await removeTree(work);
  });

  it("evaluates it with its arguments, builds its systems, and keeps its state in the working folder", async () => {
    const ref = `path:${join(work, "flake")}#fleet`;
    const two = (await planFleet(ref))._unsafeUnwrap();
    expect(two.plan.hosts.map((h) => [h.name, h.state])).toEqual([["h-1", "install"], ["h-2", "install"]]);
    expect(two.plan.hosts[0]!.toplevel).toMatch(/^\/nix\/store\/[a-z0-9]{32}-nixos-system-fleet-flake$/);
    (await setFleetArgs({ network: ref, set: { n: { arg: "3" } } }))._unsafeUnwrap();
    expect(fleetStatePath(ref)).toBe(join(work, "fleet.state.json"));
    const three = (await planFleet(ref))._unsafeUnwrap();
    expect(three.plan.hosts.map((h) => h.name)).toEqual(["h-1", "h-2", "h-3"]);
  });
});
