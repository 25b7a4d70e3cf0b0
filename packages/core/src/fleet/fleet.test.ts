import { describe, expect, it } from "vitest";
import { formatFleetPlan } from "./formatFleetPlan.js";
import type { FleetHost } from "./FleetHost.js";
import type { HostFacts } from "./HostFacts.js";
import type { HostOutcome } from "./HostOutcome.js";
import { parseNetwork } from "./parseNetwork.js";
import { planRollout, type PlanRolloutParameters } from "./planRollout.js";
import { recordWave } from "./recordWave.js";
import { nextWave, startRollout, type RolloutProgress } from "./RolloutProgress.js";
import { selectHosts } from "./selectHosts.js";
import { saveRollout, summariseRollout } from "./summariseRollout.js";

const gen = (n: number) => `/nix/store/${String(n).repeat(32).slice(0, 32)}-nixos-system-web-${n}`;

/** The seed's shape: proxies, app servers and a database, as network.nix would give them. */
function network(proxies: number): Record<string, unknown> {
  const hosts: Record<string, unknown> = {
    "db-1": { target: "ssh://root@10.0.0.5", system: gen(2), install: { method: "rescue", layout: "./disks.json", wipe: ["/dev/sda"] }, tags: ["db"] },
    "app-1": { target: "dir:/srv/roots/app-1", system: { outPath: gen(2), drvPath: "/nix/store/aaaa-web.drv" }, tags: ["app"] },
  };
  for (let i = 1; i <= proxies; i++) hosts[`proxy-${i}`] = { target: `ssh://root@10.0.1.${i}`, system: gen(2), tags: ["proxy"], healthChecks: ["curl -fs localhost"] };
  return hosts;
}

const hostsOf = (proxies: number): FleetHost[] => parseNetwork(network(proxies))._unsafeUnwrap();

/** db-1 runs no system yet, proxy-3 is down, proxy-5 runs gen 2 already, the rest gen 1. */
function factsFor(hosts: readonly FleetHost[]): Record<string, HostFacts> {
  const facts: Record<string, HostFacts> = {};
  for (const h of hosts) {
    facts[h.name] =
      h.name === "db-1" ? { reachable: true } : h.name === "proxy-3" ? { reachable: false, reason: "ssh: connection refused", code: "SSH_CONNECT" } : h.name === "proxy-5" ? { reachable: true, current: gen(2), generation: 2 } : { reachable: true, current: gen(1), generation: 1 };
  }
  return facts;
}

function plan(proxies: number, more: Partial<PlanRolloutParameters> = {}) {
  const hosts = hostsOf(proxies);
  return planRollout({ hosts, facts: factsFor(hosts), ...more })._unsafeUnwrap();
}

/** Runs every wave to its end, each host ending as `end` says. */
function run(progress: RolloutProgress, end: (name: string) => HostOutcome): RolloutProgress {
  for (let wave = nextWave(progress); wave !== undefined; wave = nextWave(progress)) {
    progress = recordWave(progress, Object.fromEntries(wave.hosts.map((n) => [n, end(n)])));
  }
  return progress;
}
const confirmed: HostOutcome = { kind: "confirmed", action: "deploy", generation: 2 };
const failed: HostOutcome = { kind: "failed", action: "deploy", code: "STEP_FAILED", message: "activate failed", rolledBack: true };

describe("parseNetwork", () => {
  it("reads hosts in the order people count them, systems as paths or derivations", () => {
    const hosts = hostsOf(10);
    expect(hosts.map((h) => h.name)).toEqual(["app-1", "db-1", ...Array.from({ length: 10 }, (_, i) => `proxy-${i + 1}`)]);
    expect(hosts[0]!.system).toEqual({ path: gen(2), drvPath: "/nix/store/aaaa-web.drv" });
    expect(hosts[1]!.install).toEqual({ method: "rescue", layout: "./disks.json", wipe: ["/dev/sda"] });
  });

  it("lists every problem with its host and field", () => {
    const r = parseNetwork({ "web 1": { target: "web1", system: 3, colour: "red", install: { method: "pxe" } }, ok: { target: "dir:/x", system: "/nix/store/x" } });
    expect(r._unsafeUnwrapErr().details).toMatchInlineSnapshot(`
      "web 1: a host name is letters, digits, '.', '_' and '-', starting with a letter or digit
      web 1.colour: unknown field; a host has target, system, root, install, healthChecks, tags
      web 1.target: give a target URI such as ssh://root@203.0.113.7 or dir:/srv/roots/web, not "web1"
      web 1.system: give a toplevel derivation or its store path, not number 3
      web 1.install.method: "rescue" or "kexec", not "pxe""
    `);
    expect(parseNetwork([]).isErr()).toBe(true);
    expect(parseNetwork({})._unsafeUnwrapErr().message).toBe("the network has no hosts");
  });
});

describe("selectHosts", () => {
  it("selects by names and tags, and refuses a word that is neither", () => {
    const hosts = hostsOf(3);
    expect(selectHosts(hosts, "db,proxy-2")._unsafeUnwrap().map((h) => h.name)).toEqual(["db-1", "proxy-2"]);
    expect(selectHosts(hosts, ["app", "db"])._unsafeUnwrap().map((h) => h.name)).toEqual(["app-1", "db-1"]);
    expect(selectHosts(hosts, "proxies")._unsafeUnwrapErr().message).toMatch(/^--on proxies: no host has that name or tag/);
    expect(selectHosts(hosts, undefined)._unsafeUnwrap()).toHaveLength(5);
  });
});

describe("planRollout", () => {
  it("gives each host its state and cuts the waves: canary, then no wider than max-unavailable", async () => {
    const p = plan(10, { canary: 1, maxUnavailable: "25%", knownHosts: ["proxy-11", "app-1"] });
    expect(Object.fromEntries(p.hosts.map((h) => [h.name, h.state]))).toMatchObject({ "app-1": "deploy", "db-1": "install", "proxy-3": "unreachable", "proxy-5": "unchanged" });
    expect(p.left).toEqual(["proxy-11"]);
    // 10 hosts to act on: 25% is 3 wide.
    expect(p.waves.map((w) => [w.kind, w.hosts.length])).toEqual([["canary", 1], ["wave", 3], ["wave", 3], ["wave", 3]]);
    await expect(formatFleetPlan(p)).toMatchFileSnapshot("../../test/__golden__/fleet-12-hosts.plan.txt");
  });

  it("a host that runs no NixOS and declares no install is reported, not started", () => {
    const hosts = parseNetwork({ bare: { target: "ssh://10.0.0.9", system: gen(2) } })._unsafeUnwrap();
    const p = planRollout({ hosts, facts: { bare: { reachable: true } } })._unsafeUnwrap();
    expect(p.hosts[0]).toMatchObject({ state: "install", problem: expect.stringMatching(/declares no install/) });
    expect(p.waves).toEqual([]);
    expect(formatFleetPlan(p)).toContain("nothing to do");
  });

  it("takes a count or a share for max-unavailable, and refuses bad bounds", () => {
    expect(plan(10, { canary: 0, maxUnavailable: 4 }).waves.map((w) => w.hosts.length)).toEqual([4, 4, 2]);
    expect(plan(10, { canary: 2, maxUnavailable: "100%" }).waves.map((w) => w.hosts.length)).toEqual([2, 8]);
    const hosts = hostsOf(2);
    const bad = (more: Partial<PlanRolloutParameters>) => planRollout({ hosts, facts: factsFor(hosts), ...more })._unsafeUnwrapErr().message;
    expect(bad({ maxUnavailable: "0" })).toMatch(/^--max-unavailable 0: give a count/);
    expect(bad({ maxUnavailable: "150%" })).toMatch(/^--max-unavailable 150%/);
    expect(bad({ parallel: 0 })).toMatch(/^--parallel 0/);
    expect(bad({ haltAfter: 0 })).toMatch(/^--halt-after 0/);
    expect(bad({ canary: -1 })).toMatch(/^--canary -1/);
  });

  it("--on leaves the other hosts out of every wave", () => {
    const p = plan(4, { selected: ["proxy-1", "proxy-2"] });
    expect(p.hosts.map((h) => h.name)).toEqual(["proxy-1", "proxy-2"]);
    expect(p.notSelected).toEqual(["app-1", "db-1", "proxy-3", "proxy-4"]);
    expect(p.waves.flatMap((w) => w.hosts)).toEqual(["proxy-1", "proxy-2"]);
  });
});

describe("a rollout", () => {
  it("halts when the canary fails, whatever the budget, and leaves the others not started", () => {
    const progress = run(startRollout(plan(10, { haltAfter: 5 }), "t0"), (n) => (n === "app-1" ? failed : confirmed));
    const summary = summariseRollout(progress);
    expect(progress.halted).toBe("the canary failed (app-1)");
    expect(summary.ok).toBe(false);
    expect(summary.counts).toEqual({ confirmed: 0, unchanged: 1, failed: 1, aborted: 0, "not-started": 10 });
    expect(summary.hosts.find((h) => h.name === "proxy-3")!.outcome).toEqual({ kind: "not-started", reason: "ssh: connection refused" });
    expect(summary.hosts.find((h) => h.name === "proxy-4")!.outcome).toEqual({ kind: "not-started", reason: "the rollout halted first" });
  });

  it("with a budget, a later failure is reported while the rest finish; at the budget it halts after that wave", () => {
    const within = summariseRollout(run(startRollout(plan(10, { haltAfter: 2 }), "t0"), (n) => (n === "proxy-2" ? failed : confirmed)));
    expect(within.halted).toBeUndefined();
    expect(within.counts).toMatchObject({ confirmed: 9, failed: 1, "not-started": 1 });
    const spent = run(startRollout(plan(10, { haltAfter: 1 }), "t0"), (n) => (n === "proxy-2" ? failed : confirmed));
    expect(spent.halted).toBe("1 host failed, the budget is 1 (--halt-after 1)");
    expect(spent.wavesDone).toBe(2);
  });

  it("stopped during a wave: the hosts of that wave that never started, and every later one, say so", () => {
    let progress = startRollout(plan(10), "t0");
    progress = recordWave(progress, { "app-1": confirmed });
    progress = recordWave(progress, { "db-1": { kind: "aborted", action: "install", message: "stopped", rolledBack: false } }, { aborted: true });
    expect(nextWave(progress)).toBeUndefined();
    const summary = summariseRollout(progress);
    expect(summary.aborted).toBe(true);
    expect(summary.hosts.find((h) => h.name === "proxy-1")!.outcome).toEqual({ kind: "not-started", reason: "the rollout was stopped first" });
    expect(summary.hosts.find((h) => h.name === "proxy-9")!.outcome).toEqual({ kind: "not-started", reason: "the rollout was stopped first" });
  });

  it("--resume continues a halted rollout with the hosts that never started, without a canary, not retrying the failed", () => {
    const halted = run(startRollout(plan(10, { maxUnavailable: 3 }), "t0"), (n) => (n === "db-1" ? failed : confirmed));
    const saved = saveRollout(halted);
    expect(saved.halted).toMatch(/budget is 1/);
    expect(saved.hosts["db-1"]).toEqual({ toplevel: gen(2), outcome: "failed", action: "install" });
    // What the hosts run after the halted run: the confirmed ones have gen 2 now.
    const hosts = hostsOf(10);
    const facts = factsFor(hosts);
    for (const [name, h] of Object.entries(saved.hosts)) if (h.outcome === "confirmed") facts[name] = { reachable: true, current: gen(2), generation: 2 };
    const resumed = planRollout({ hosts, facts, resume: saved, maxUnavailable: 3 })._unsafeUnwrap();
    expect(resumed.resumed).toBe(true);
    expect(resumed.waves[0]!.kind).toBe("wave");
    const rest = resumed.waves.flatMap((w) => w.hosts);
    expect(rest).not.toContain("db-1");
    expect(rest).toEqual(Object.entries(saved.hosts).filter(([, h]) => h.outcome === "not-started").map(([n]) => n));
    const summary = summariseRollout(run(startRollout(resumed, "t1"), () => confirmed));
    expect(summary.hosts.find((h) => h.name === "db-1")!.outcome.kind).toBe("not-started");
    expect(saveRollout(run(startRollout(resumed, "t1"), () => confirmed)).hosts["db-1"]!.outcome).toBe("failed");
  });

  it("a host whose failed install left its profile on the new system is installed again, not taken as unchanged", () => {
    const hosts = hostsOf(2);
    const first = planRollout({ hosts, facts: factsFor(hosts), haltAfter: 5 })._unsafeUnwrap();
    const installFailed: HostOutcome = { kind: "failed", action: "install", code: "STEP_FAILED", message: "activate failed", rolledBack: false };
    const saved = saveRollout(run(startRollout(first, "t0"), (n) => (n === "db-1" ? installFailed : confirmed)));
    // After that run every host's profile points at gen 2, db-1's too: its install made generation 1.
    const facts = Object.fromEntries(hosts.map((h) => [h.name, { reachable: true, current: gen(2), generation: h.name === "db-1" ? 1 : 2 } satisfies HostFacts]));
    const next = planRollout({ hosts, facts, last: saved })._unsafeUnwrap();
    expect(next.hosts.find((h) => h.name === "db-1")).toMatchObject({ state: "install", unfinished: true });
    expect(next.hosts.filter((h) => h.name !== "db-1").map((h) => h.state)).toEqual(["unchanged", "unchanged", "unchanged"]);
    expect(next.waves.flatMap((w) => w.hosts)).toEqual(["db-1"]);
    expect(formatFleetPlan(next)).toContain("the last rollout did not finish this system: done again");
    // Once it is confirmed, the next plan takes it as unchanged.
    const done = saveRollout(run(startRollout(next, "t1"), () => ({ kind: "confirmed", action: "install", generation: 1 })));
    expect(planRollout({ hosts, facts, last: done })._unsafeUnwrap().hosts.every((h) => h.state === "unchanged")).toBe(true);
  });

  it("--resume refuses a network that changed since the halt", () => {
    const saved = saveRollout(run(startRollout(plan(4), "t0"), () => failed));
    const hosts = parseNetwork({ ...network(4), "proxy-4": { target: "ssh://root@10.0.1.4", system: gen(3) } })._unsafeUnwrap();
    const r = planRollout({ hosts, facts: factsFor(hosts), resume: saved });
    expect(r._unsafeUnwrapErr().message).toBe("the network changed since the rollout halted (proxy-4: another system); run fleet deploy without --resume");
  });
});
