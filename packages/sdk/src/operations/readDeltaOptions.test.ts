import { okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { StorePathInfo, TargetFacts } from "@nixos-via/core";
import { readDeltaOptions } from "./readDeltaOptions.js";

const S = (name: string): string => `/nix/store/${name}`;
const OLD = S("11111111111111111111111111111111-nixos-system-web-24.05");
const GONE = S("22222222222222222222222222222222-nixos-system-web-24.05");
const OTHER = S("33333333333333333333333333333333-bash-5.1");
const info = (path: string): StorePathInfo => ({ path, narHash: "sha256:0", narSize: 1, references: [] });

/** This machine's store, holding `held`; records each read. */
function fakeStore(held: readonly string[]) {
  const reads: (readonly string[])[] = [];
  return {
    reads,
    readPathInfos: (paths: readonly string[]) => {
      reads.push(paths);
      return okAsync(paths.filter((p) => held.includes(p)).map(info));
    },
  };
}

const facts = (predecessors: readonly string[]): Pick<TargetFacts, "predecessors"> => ({ predecessors: new Set(predecessors) });

const remote = { capabilities: { root: true, remote: true, hostNix: false, running: true } };
const local = { capabilities: { root: true, remote: false, hostNix: true, running: false } };

describe("readDeltaOptions", () => {
  it("reads the candidates once, when the probe names them, and keeps the ones the target has valid", async () => {
    const store = fakeStore([OLD, GONE]);
    const reader = readDeltaOptions(undefined, remote, store);
    reader.onCandidates!([OLD, GONE]);
    const options = (await reader.read(facts([OLD])))._unsafeUnwrap();
    expect(options).toEqual({ mode: "auto", predecessors: [info(OLD)] });
    expect(store.reads).toEqual([[OLD, GONE]]);
  });

  it("reads after the probe when the early read did not ask for every predecessor", async () => {
    const store = fakeStore([OLD, OTHER]);
    const reader = readDeltaOptions(true, remote, store);
    reader.onCandidates!([OLD]);
    const options = (await reader.read(facts([OLD, OTHER])))._unsafeUnwrap();
    expect(options.predecessors).toEqual([info(OLD), info(OTHER)]);
    expect(store.reads).toEqual([[OLD], [OLD, OTHER]]);
  });

  it("asks again for exactly the predecessors when the early read came back empty", async () => {
    // One candidate Nix cannot describe here makes the whole early read empty.
    const reads: (readonly string[])[] = [];
    const store = {
      readPathInfos: (paths: readonly string[]) => {
        reads.push(paths);
        return okAsync(paths.includes(GONE) ? [] : paths.map(info));
      },
    };
    const reader = readDeltaOptions(undefined, remote, store);
    reader.onCandidates!([OLD, GONE]);
    expect((await reader.read(facts([OLD])))._unsafeUnwrap().predecessors).toEqual([info(OLD)]);
    expect(reads).toEqual([[OLD, GONE], [OLD]]);
  });

  it("reads after the probe when the probe named no candidates early", async () => {
    const store = fakeStore([OLD]);
    const options = (await readDeltaOptions(undefined, remote, store).read(facts([OLD])))._unsafeUnwrap();
    expect(options.predecessors).toEqual([info(OLD)]);
    expect(store.reads).toEqual([[OLD]]);
  });

  it("never asks this machine's store with --no-delta, or by default for a target that is not remote", async () => {
    for (const [delta, target, mode] of [[false, remote, "off"], [undefined, local, "auto"]] as const) {
      const store = fakeStore([OLD]);
      const reader = readDeltaOptions(delta, target, store);
      expect(reader.onCandidates).toBeUndefined();
      expect((await reader.read(facts([OLD])))._unsafeUnwrap()).toEqual({ mode, predecessors: [] });
      expect(store.reads).toEqual([]);
    }
  });
});
