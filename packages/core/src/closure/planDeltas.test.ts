import { describe, expect, it } from "vitest";
import { planDeltas } from "./planDeltas.js";
import { packageName, storePathName } from "./storePathName.js";
import type { StorePathInfo } from "./StorePathInfo.js";

const hash = (c: string) => c.repeat(32);
const info = (c: string, name: string, narSize = 1000): StorePathInfo => ({ path: `/nix/store/${hash(c)}-${name}`, narHash: `sha256:${"0".repeat(64)}`, narSize, references: [] });

describe("storePathName and packageName", () => {
  it("drop the hash, then the version as Nix's parseDrvName does", () => {
    expect(storePathName(`/nix/store/${hash("a")}-hello-2.12`)).toBe("hello-2.12");
    expect(packageName("hello-2.12")).toBe("hello");
    expect(packageName("glibc-2.39-52-bin")).toBe("glibc");
    expect(packageName("etc")).toBe("etc");
    expect(packageName("nixos-system-web-24.11")).toBe("nixos-system-web");
  });
});

describe("planDeltas", () => {
  it("pairs a rebuilt path with the registered path of the same name", () => {
    const plan = planDeltas([info("b", "hello-2.12")], [info("a", "hello-2.12"), info("c", "hello-2.11")]);
    expect(plan.deltas).toEqual([{ path: info("b", "hello-2.12").path, from: info("a", "hello-2.12").path }]);
    expect(plan.full).toEqual([]);
  });

  it("falls back to another version of the same package", () => {
    const plan = planDeltas([info("b", "hello-2.13")], [info("c", "hello-2.12"), info("d", "world-2.13")]);
    expect(plan.deltas).toEqual([{ path: info("b", "hello-2.13").path, from: info("c", "hello-2.12").path }]);
  });

  it("sends in full what has no predecessor here", () => {
    const plan = planDeltas([info("b", "hello-2.13"), info("e", "etc")], [info("d", "world-2.13")]);
    expect(plan.deltas).toEqual([]);
    expect(plan.full.map((p) => p.path)).toEqual([info("b", "hello-2.13").path, info("e", "etc").path]);
  });

  it("among several predecessors takes the closest in size, then the lower path", () => {
    const near = info("c", "lib-1", 1100);
    const plan = planDeltas([info("b", "lib-1", 1000)], [info("a", "lib-1", 5000), near, info("d", "lib-1", 900)]);
    expect(plan.deltas[0]!.from).toBe(near.path);
    const tie = planDeltas([info("b", "lib-1", 1000)], [info("d", "lib-1", 900), info("c", "lib-1", 1100)]);
    expect(tie.deltas[0]!.from).toBe(info("c", "lib-1").path);
  });

  it("never takes a path that is itself being sent as a predecessor", () => {
    const plan = planDeltas([info("b", "lib-1"), info("c", "lib-1")], [info("c", "lib-1")]);
    expect(plan.deltas).toEqual([]);
  });
});
