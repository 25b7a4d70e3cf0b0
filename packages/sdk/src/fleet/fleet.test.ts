import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installParameters } from "./installParameters.js";
import { fleetStatePath, readFleetState, writeFleetState } from "./FleetState.js";
import { loadNetwork } from "./loadNetwork.js";
import { mapBounded } from "./mapBounded.js";

const toplevel = "/nix/store/00000000000000000000000000000000-nixos-system-web";

describe("mapBounded", () => {
  it("keeps the order, runs at most `limit` at once, and starts nothing once told to stop", async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await mapBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 10 * (7 - n)));
      running--;
      return n * 10;
    }, () => started.length < 4);
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4]);
    expect(results).toEqual([10, 20, 30, 40, undefined, undefined]);
  });
});

describe("the state file and a network object", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nixos-via-fleet-unit-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("sits beside the network, named after it, and reads back what was written", async () => {
    expect(fleetStatePath("/srv/fleet/network.nix")).toBe("/srv/fleet/network.state.json");
    const file = join(dir, "network.state.json");
    expect((await readFleetState(file))._unsafeUnwrap()).toEqual({ args: {}, knownHosts: [] });
    const state = { args: { n: { arg: "3" }, region: { argstr: "eu" } }, knownHosts: ["web-1"], rollout: { startedAt: "t", hosts: { "web-1": { toplevel, outcome: "confirmed" as const } } } };
    (await writeFleetState(file, state))._unsafeUnwrap();
    expect((await readFleetState(file))._unsafeUnwrap()).toEqual(state);
    await writeFile(file, "{}");
    expect((await readFleetState(file))._unsafeUnwrapErr().message).toMatch(/is not a nixos-via fleet state file/);
  });

  it("takes a TypeScript object, with relative paths read from the working folder", async () => {
    const loaded = (await loadNetwork({ "web-1": { target: "dir:/srv/web-1", system: toplevel, install: { layout: "disks.json" }, tags: ["web"] } }))._unsafeUnwrap();
    expect(loaded.hosts[0]).toMatchObject({ name: "web-1", system: { path: toplevel }, install: { layout: join(process.cwd(), "disks.json") }, tags: ["web"] });
    expect(loaded.stateFile).toBeUndefined();
    const missing = await loadNetwork({ "web-1": { target: "dir:/srv/web-1", system: "./no-such-result" } });
    expect(missing._unsafeUnwrapErr().message).toBe(`web-1.system: ${join(process.cwd(), "no-such-result")} does not exist; build it first or give a derivation`);
    const bad = await loadNetwork({ "web-1": { target: "web1", system: toplevel } as never });
    expect(bad._unsafeUnwrapErr().code).toBe("USAGE");
  });
});

describe("installParameters", () => {
  it("installs a host declared with method kexec by a kexec install, a rescue host without it", () => {
    const host = (method: "rescue" | "kexec") => ({
      name: "vps-1",
      target: "ssh://root@203.0.113.7",
      system: { path: toplevel },
      install: { method, layout: "disks.json", wipe: ["/dev/vda"] },
      healthChecks: [],
      tags: [],
    });
    expect(installParameters(host("kexec") as never)._unsafeUnwrap()).toMatchObject({ target: "ssh://root@203.0.113.7", kexec: true, wipe: ["/dev/vda"], layout: "disks.json" });
    expect(installParameters(host("rescue") as never)._unsafeUnwrap()).not.toHaveProperty("kexec");
  });
});
