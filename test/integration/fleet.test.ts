import { existsSync } from "node:fs";
import { mkdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFleet, type FleetEvent } from "nixos-via";
import { events, nixosVia } from "../support/cli.js";
import { nix, NIX_ENV } from "../support/nix.js";
import { keyPair, startSshd, type Sshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

// `nixos-via fleet` on 8 lightweight hosts of this machine: 4 dir: roots and 4 loopback
// OpenSSH servers (a port each). deploy over ssh:// acts on the machine's live root, which
// a test cannot give away, so each ssh:// host's system root is a folder (the network's
// `root`): the SSH transport, its connection and the target's own Nix are real, and
// activation runs inside that root as for a container. Failures are injected with a
// system whose `activate` exits 3 (test/fixtures/fleet/network.nix, `broken`).
describe("nixos-via fleet", () => {
  let work: string;
  let network: string;
  let roots: string;
  let common: string[];
  const sshds: Sshd[] = [];
  const bin = new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname;
  const hosts = ["dir-1", "dir-2", "dir-3", "dir-4", "ssh-1", "ssh-2", "ssh-3", "ssh-4"];

  const fleet = (args: string[]) => nixosVia(["fleet", ...args, "--network", network, ...(args[0] === "set-args" || args[0] === "info" ? [] : common)], NIX_ENV);
  /** The toplevel name (…-nixos-system-nixos-via-N) each host's profile points at, and its generation. */
  const profile = async (host: string) => {
    const profiles = join(roots, host, "nix/var/nix/profiles");
    if (!existsSync(join(profiles, "system"))) return "none";
    const link = await readlink(join(profiles, "system"));
    return `${link.replace(/^system-(\d+)-link$/, "$1")} ${(await readlink(join(profiles, link))).replace(/^\/nix\/store\/[a-z0-9]+-nixos-system-nixos-via-/, "")}`;
  };
  /** The store path the host's system profile points at now. */
  const currentToplevel = async (host: string) => {
    const profiles = join(roots, host, "nix/var/nix/profiles");
    return readlink(join(profiles, await readlink(join(profiles, "system"))));
  };
  const profiles = async (names = hosts) => Object.fromEntries(await Promise.all(names.map(async (h) => [h, await profile(h)] as const)));
  const result = (stdout: string) => events(stdout).find((e) => e["type"] === "result") as { ok: boolean; hosts: { host: string; outcome: { kind: string; rolledBack?: boolean; reason?: string } }[] };
  const outcomes = (stdout: string) => Object.fromEntries(result(stdout).hosts.map((h) => [h.host, h.outcome.kind]));

  beforeAll(async () => {
    work = await tempRoot("nixos-via-fleet-");
    roots = join(work, "roots");
    for (const h of [...hosts, "dir-5", "dir-6"]) await mkdir(join(roots, h, "boot"), { recursive: true, mode: 0o755 });
    const fixture = await readFile(new URL("../fixtures/fleet/network.nix", import.meta.url), "utf8");
    network = join(work, "network.nix");
    await writeFile(network, fixture.replace("./systems.nix", new URL("../fixtures/fleet/systems.nix", import.meta.url).pathname));
    const client = await keyPair(work, "client");
    for (let i = 1; i <= 4; i++) sshds.push(await startSshd(join(work, `sshd-${i}`), { authorizedKeys: { root: client.pub } }));
    common = ["-i", client.key, "--known-hosts", join(work, "known_hosts"), "--accept-new-host-key", "--ssh-config", "/dev/null"];
    const set = await fleet(["set-args", "--argstr", "roots", roots, "--argstr", "sshPorts", sshds.map((s) => s.port).join(",")]);
    expect(set.exitCode, set.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const s of sshds) await s.stop();
    await removeTree(work);
  });

  it("plans 8 installs, then installs every host (the canary first), every event tagged with its host", async () => {
    const plan = await fleet(["plan"]);
    expect(plan.exitCode, plan.stderr).toBe(0);
    for (const h of hosts) expect(plan.stdout).toMatch(new RegExp(`^  ${h} +install +.*17 paths to send`, "m"));
    expect(plan.stdout).toContain("rollout of 8 hosts: 8 install");
    expect(await profiles()).toEqual(Object.fromEntries(hosts.map((h) => [h, "none"])));

    const run = await fleet(["deploy", "--max-unavailable", "100%", "--parallel", "4", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const evs = events(run.stdout);
    expect(evs.every((e) => "host" in e)).toBe(true);
    expect(evs.filter((e) => e["type"] === "wave-start").map((e) => (e["wave"] as { hosts: string[] }).hosts)).toEqual([["dir-1"], hosts.slice(1)]);
    expect(new Set(evs.filter((e) => e["type"] === "step-start").map((e) => e["host"]))).toEqual(new Set(hosts));
    expect(outcomes(run.stdout)).toEqual(Object.fromEntries(hosts.map((h) => [h, "confirmed"])));
    expect(await profiles()).toEqual(Object.fromEntries(hosts.map((h) => [h, "1 1"])));
    // Nix judges one ssh:// host's root: its store holds the whole system, valid.
    const toplevel = await readlink(join(roots, "ssh-2/nix/var/nix/profiles/system-1-link"));
    expect((await nix(["nix-store", "--store", `local?root=${join(roots, "ssh-2")}`, "--verify-path", toplevel])).trim()).toBe("");
  });

  it("a host already on its system gets no new generation", async () => {
    const run = await fleet(["deploy"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("fleet: 8 unchanged");
    for (const h of hosts) expect(existsSync(join(roots, h, "nix/var/nix/profiles/system-2-link"))).toBe(false);
  });

  it("a failure in the canary halts the rollout; the canary is rolled back, the others untouched", async () => {
    expect((await fleet(["set-args", "--argstr", "generation", "2", "--argstr", "broken", "dir-1"])).exitCode).toBe(0);
    const run = await fleet(["deploy", "--halt-after", "5", "--json"]);
    expect(run.exitCode).toBe(1);
    expect(events(run.stdout).find((e) => e["type"] === "halt")).toMatchObject({ reason: "the canary failed (dir-1)" });
    const r = result(run.stdout);
    expect(r.hosts.find((h) => h.host === "dir-1")!.outcome).toMatchObject({ kind: "failed", rolledBack: true });
    expect(outcomes(run.stdout)).toEqual({ ...Object.fromEntries(hosts.map((h) => [h, "not-started"])), "dir-1": "failed" });
    expect(await profiles()).toEqual(Object.fromEntries(hosts.map((h) => [h, "1 1"])));
    for (const h of hosts.slice(1)) expect(existsSync(join(roots, h, "nix/var/nix/profiles/system-2-link"))).toBe(false);
  });

  it("with a failure budget, a failing host of a later wave is rolled back and reported while the rest finish", async () => {
    expect((await fleet(["set-args", "--argstr", "broken", "dir-3"])).exitCode).toBe(0);
    const run = await fleet(["deploy", "--max-unavailable", "2", "--halt-after", "2", "--json"]);
    expect(run.exitCode).toBe(1);
    expect(outcomes(run.stdout)).toEqual({ ...Object.fromEntries(hosts.map((h) => [h, "confirmed"])), "dir-3": "failed" });
    expect(result(run.stdout).hosts.find((h) => h.host === "dir-3")!.outcome.rolledBack).toBe(true);
        // dir-1 made (and left) generation 2 in the halted run above, so its new one is 3.
    expect(await profiles()).toEqual({ ...Object.fromEntries(hosts.map((h) => [h, "2 2"])), "dir-1": "3 2", "dir-3": "1 1" });
  });

  it("--resume after a halt completes the hosts that never started", async () => {
    expect((await fleet(["set-args", "--argstr", "generation", "3", "--argstr", "broken", "dir-4"])).exitCode).toBe(0);
    const halted = await fleet(["deploy", "--max-unavailable", "3", "--json"]);
    expect(halted.exitCode).toBe(1);
    // canary dir-1, then dir-2, dir-3, dir-4: dir-4 fails and the budget of 1 is spent.
    expect(outcomes(halted.stdout)).toEqual({ "dir-1": "confirmed", "dir-2": "confirmed", "dir-3": "confirmed", "dir-4": "failed", "ssh-1": "not-started", "ssh-2": "not-started", "ssh-3": "not-started", "ssh-4": "not-started" });
    const before = await profiles(["ssh-1", "ssh-2", "ssh-3", "ssh-4"]);
    expect(Object.values(before).every((p) => p.endsWith(" 2"))).toBe(true);
    const info = await fleet(["info"]);
    expect(info.stdout).toMatch(/halted: 1 host failed.*--resume continues it/);

    const resumed = await fleet(["deploy", "--resume", "--max-unavailable", "100%", "--json"]);
    expect(resumed.exitCode).toBe(1);
    expect(outcomes(resumed.stdout)).toEqual({ "dir-1": "unchanged", "dir-2": "unchanged", "dir-3": "unchanged", "dir-4": "not-started", "ssh-1": "confirmed", "ssh-2": "confirmed", "ssh-3": "confirmed", "ssh-4": "confirmed" });
    expect(result(resumed.stdout).hosts.find((h) => h.host === "dir-4")!.outcome.reason).toMatch(/failed in the rollout that halted/);
    expect(events(resumed.stdout).filter((e) => e["type"] === "wave-start").map((e) => (e["wave"] as { kind: string }).kind)).toEqual(["wave"]);
    for (const h of ["ssh-1", "ssh-2", "ssh-3", "ssh-4"]) expect(await profile(h)).toMatch(/ 3$/);
    expect(await profile("dir-4")).toMatch(/ 2$/);
  });

  it("set-args changing a count adds hosts to the next plan, lists the ones that left; --unset restores the default", async () => {
    expect((await fleet(["set-args", "--unset", "broken"])).exitCode).toBe(0);
    expect((await fleet(["set-args", "--arg", "nrDir", "6"])).exitCode).toBe(0);
    // --on dir: the count is of dir: hosts, and the ssh:// ones need not be looked at again.
    const more = await fleet(["plan", "--on", "dir", "--json"]);
    expect(more.exitCode, more.stderr).toBe(0);
    const planned = (events(more.stdout).find((e) => e["type"] === "fleet-plan")!["plan"] as { hosts: { name: string; state: string }[] }).hosts;
    expect(planned.filter((h) => h.state === "install").map((h) => h.name)).toEqual(["dir-5", "dir-6"]);
    expect((await fleet(["set-args", "--arg", "nrDir", "3"])).exitCode).toBe(0);
    const fewer = await fleet(["plan", "--on", "dir"]);
    expect(fewer.stdout).toMatch(/^  dir-4 +left +not in the network any more: not touched$/m);
    expect((await fleet(["set-args", "--unset", "nrDir"])).exitCode).toBe(0);
    const info = await fleet(["info", "--json"]);
    expect((JSON.parse(info.stdout) as { hosts: { host: string }[] }).hosts.map((h) => h.host)).toEqual(hosts);
    const bad = await fleet(["set-args", "--arg", "nrDir", "(("]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split("\n")[0]).toMatch(/^nixos-via: error: evaluating .*network\.nix failed/);
    expect(JSON.parse(await readFile(join(work, "network.state.json"), "utf8")).args.nrDir).toBeUndefined();
  });

  it("stopped during a wave (AbortSignal): no new host starts, the summary says which is which", async () => {
    const saved = process.env["NIX_CONFIG"];
    process.env["NIX_CONFIG"] = NIX_ENV.NIX_CONFIG;
    try {
      const controller = new AbortController();
      const seen: FleetEvent[] = [];
      const before = await profiles();
      const run = await deployFleet(network, {
        args: { roots: { argstr: roots }, sshPorts: { argstr: sshds.map((s) => s.port).join(",") }, generation: { argstr: "4" } },
        canary: 0,
        maxUnavailable: "100%",
        parallel: 2,
        connection: { identityFiles: [common[1]!], knownHostsFile: common[3]!, configFile: false },
        signal: controller.signal,
        onEvent: (e) => {
          seen.push(e);
          // Stop once the second host is copying: two hosts are running, six are waiting.
          if (e.type === "step-start" && e.host === "dir-2" && e.phase === "copy") controller.abort();
        },
      });
      const summary = run._unsafeUnwrap().summary;
      expect(summary.aborted).toBe(true);
      const kinds = Object.fromEntries(summary.hosts.map((h) => [h.name, h.outcome.kind]));
      expect(seen.filter((e) => e.type === "host-start").map((e) => e.host)).toEqual(["dir-1", "dir-2"]);
      for (const h of hosts.slice(2)) expect(kinds[h]).toBe("not-started");
      for (const h of ["dir-1", "dir-2"]) expect(["aborted", "confirmed"]).toContain(kinds[h]);
      for (const h of hosts.slice(2)) expect(await profile(h)).toBe(before[h]);
    } finally {
      if (saved === undefined) delete process.env["NIX_CONFIG"];
      else process.env["NIX_CONFIG"] = saved;
    }
  });

  it("Ctrl-C (SIGINT to the CLI's process group) while a wave switches: the switching hosts end confirmed or rolled back, no further host starts, exit 1", async () => {
    // Each activation takes 3 s, so the signal lands while a host is in its switch. A
    // terminal sends SIGINT to the whole foreground process group: the CLI and the
    // activation it runs both get it, as here.
    expect((await fleet(["set-args", "--argstr", "generation", "5", "--argstr", "activationDelay", "3"])).exitCode).toBe(0);
    const before = await profiles();
    const run = execa("node", [bin, "fleet", "deploy", "--network", network, ...common, "--canary", "0", "--max-unavailable", "100%", "--parallel", "2", "--json"], {
      reject: false, stdin: "ignore", env: NIX_ENV, detached: true,
    });
    const seen: Record<string, unknown>[] = [];
    let startedAtSignal: string[] | undefined;
    let switching: string | undefined;
    let buffered = "";
    run.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const e = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        seen.push(e);
        if (startedAtSignal === undefined && e["type"] === "step-start" && e["phase"] === "activate") {
          switching = e["host"] as string;
          startedAtSignal = seen.filter((x) => x["type"] === "host-start").map((x) => x["host"] as string);
          process.kill(-run.pid!, "SIGINT");
        }
      }
    });
    const ended = await run;
    expect(ended.exitCode, ended.stderr).toBe(1);
    expect(ended.stderr).toContain("nixos-via: stopping: no further host starts");
    expect(switching).toBeDefined();
    // No host started after the signal; the summary says which ran and which never started.
    expect(seen.filter((e) => e["type"] === "host-start").map((e) => e["host"])).toEqual(startedAtSignal);
    const r = result(ended.stdout);
    expect(r.ok).toBe(false);
    const ran = startedAtSignal!;
    for (const h of hosts.filter((n) => !ran.includes(n))) {
      expect(r.hosts.find((x) => x.host === h)!.outcome).toMatchObject({ kind: "not-started", reason: "the rollout was stopped first" });
      expect(await profile(h)).toBe(before[h]);
    }
    // Each host that was running, the one caught in its activation among them, either
    // finished its switch (confirmed, the new generation activated) or is back on its
    // previous generation, activated again inside its own root. Which one depends on
    // whether the signal killed the activation first; never anything in between.
    for (const h of ran) {
      const outcome = r.hosts.find((x) => x.host === h)!.outcome;
      if (outcome.kind === "confirmed") expect(await profile(h)).toMatch(/ 5$/);
      else {
        expect(outcome).toMatchObject({ kind: "aborted", rolledBack: true });
        expect(await profile(h)).toBe(before[h]);
      }
      // Activation links /etc/static into the system it activates (/run is not kept in a root).
      expect(await readlink(join(roots, h, "etc/static"))).toBe(`${await currentToplevel(h)}/etc`);
    }
    expect((await fleet(["set-args", "--unset", "activationDelay"])).exitCode).toBe(0);
  });

  it("refuses bad input with one line and exit 2, touching nothing", async () => {
    const on = await fleet(["deploy", "--on", "nosuchhost"]);
    expect(on.exitCode).toBe(2);
    expect(on.stderr.split("\n")[0]).toMatch(/^nixos-via: error: --on nosuchhost: no host has that name or tag/);
    const width = await fleet(["plan", "--max-unavailable", "0", "--json"]);
    expect(width.exitCode).toBe(2);
    expect(events(width.stdout).at(-1)).toMatchObject({ type: "error", host: null, error: { code: "USAGE" } });
    const missing = await nixosVia(["fleet", "plan", "--network", join(work, "nope.nix")], NIX_ENV);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^nixos-via: error: no network file at /);
  });

  it("a failed install leaves its host to be installed again by the next rollout, never taken as unchanged", async () => {
    // A network of its own (one dir: host, its own state file): an install whose
    // activation fails still made generation 1, and nothing rolls a first install back.
    const own = join(work, "retry");
    await mkdir(join(own, "roots", "dir-1", "boot"), { recursive: true });
    const file = join(own, "network.nix");
    await writeFile(file, await readFile(network, "utf8"));
    const run = (args: string[]) => nixosVia(["fleet", ...args, "--network", file], NIX_ENV);
    expect((await run(["set-args", "--argstr", "roots", join(own, "roots"), "--arg", "nrDir", "1", "--argstr", "broken", "dir-1"])).exitCode).toBe(0);
    const first = await run(["deploy", "--json"]);
    expect(first.exitCode).toBe(1);
    expect(result(first.stdout).hosts[0]!.outcome).toMatchObject({ kind: "failed", rolledBack: false });
    expect(existsSync(join(own, "roots/dir-1/nix/var/nix/profiles/system-1-link"))).toBe(true);
    const plan = await run(["plan"]);
    expect(plan.stdout).toMatch(/^  dir-1 +install .*the last rollout did not finish this system: done again/m);
    const again = await run(["deploy", "--json"]);
    expect(again.exitCode).toBe(1);
    expect(events(again.stdout).filter((e) => e["type"] === "host-start").map((e) => e["action"])).toEqual(["install"]);
    expect(result(again.stdout).hosts[0]!.outcome.kind).toBe("failed");
  });
});
