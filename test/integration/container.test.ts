import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { keyPair, startSshd, type Sshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const cliBin = new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname;

// The example system as a container (plain namespaces, its own network namespace and a veth
// pair) on this machine and on a loopback SSH host's root: it boots, its sshd answers in its
// namespace, a deploy switches it without a restart, a broken generation rolls back, a
// deployer that vanishes leaves it to roll back by itself, and stop leaves nothing behind.
// Every container is a few busybox processes; a boot takes about a second.

interface Status {
  state: string;
  pid?: number;
  toplevel?: string;
  current?: string;
  exitStatus?: number;
  veth?: { hostInterface: string; address: string; hostAddress: string };
  console: string[];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The namespaces of a process, as the kernel names them (`net:[4026…]`). */
async function namespaces(pid: number | string): Promise<string[]> {
  return Promise.all(["mnt", "net", "pid", "uts", "ipc"].map((ns) => readlink(`/proc/${pid}/ns/${ns}`).catch(() => "")));
}

/** Every namespace some process on this machine is in. */
async function namespacesInUse(): Promise<Set<string>> {
  const all = new Set<string>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    for (const ns of await namespaces(entry)) if (ns !== "") all.add(ns);
  }
  return all;
}

describe.each([
  { name: "dir: on this machine", subnet: 1, viaSsh: false },
  { name: "ssh:// with --root on a loopback SSH host", subnet: 2, viaSsh: true },
])("nixos-via start/deploy/stop, $name", ({ subnet, viaSsh }) => {
  let work: string;
  let root: string;
  let client: { key: string; pub: string };
  let sshd: Sshd | undefined;
  let gen1: string;
  let gen2: string;
  let broken: string;
  const address = `10.215.${subnet}.2`;

  /** The target arguments: dir:ROOT, or ssh://… --root ROOT with the SSH options. */
  const target = (): string[] =>
    viaSsh
      ? [`ssh://root@127.0.0.1:${sshd!.port}`, "--root", root, "-i", client.key, "--known-hosts", join(work, "known_hosts"), "--accept-new-host-key", "--ssh-config", "/dev/null"]
      : [`dir:${root}`];
  const run = (command: string, ...more: string[]) => {
    const [uri, ...options] = target();
    return nixosVia([command, uri!, ...more, ...options]);
  };
  const status = async (): Promise<{ exitCode: number; status: Status }> => {
    const r = await run("status", "--json", "--lines", "40");
    return { exitCode: r.exitCode, status: JSON.parse(r.stdout) as Status };
  };
  /** A command over SSH into the container's own sshd, at its veth address. */
  const inside = (command: string) =>
    execa("ssh", ["-i", client.key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o", "BatchMode=yes", `root@${address}`, command], { reject: false });

  beforeAll(async () => {
    work = await tempRoot("nixos-via-containers-");
    root = join(work, "web");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    client = await keyPair(work, "client");
    [gen1, gen2, broken] = await Promise.all([
      buildMiniSystem({ generation: "1", authorizedKeys: client.pub }),
      buildMiniSystem({ generation: "2", authorizedKeys: client.pub }),
      buildMiniSystem({ generation: "3", authorizedKeys: client.pub, brokenSsh: "1" }),
    ]);
    if (viaSsh) sshd = await startSshd(join(work, "sshd"), { authorizedKeys: { root: client.pub } });
    const installed = await run("install", "--system", gen1);
    expect(installed.exitCode, installed.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await run("stop", "--timeout", "2");
    await sshd?.stop();
    await removeTree(work);
  });

  it("says a root that never ran is not running (exit 1), and a dry run starts nothing", async () => {
    const never = await run("status");
    expect(never.exitCode).toBe(1);
    expect(never.stdout).toContain("never ran as a container");
    const dry = await run("start", "--address", `${address}/24`, "--dry-run");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`nixos-via-container start ${root} private ${address}/24 10.215.${subnet}.1/24`);
    expect((await status()).status.state).toBe("absent");
    const noRoot = await nixosVia(["start", "ssh://root@127.0.0.1:1", "--json"]);
    expect(noRoot.exitCode).toBe(2);
    expect(events(noRoot.stdout)).toMatchObject([{ type: "error", error: { code: "USAGE" } }]);
    expect(noRoot.stderr.split("\n")[0]).toContain("name the container's root on that host with --root DIR");
    const rootForDir = await nixosVia(["status", `dir:${root}`, "--root", "/srv"]);
    expect(rootForDir.exitCode).toBe(2);
    const disk = await nixosVia(["start", "disk:/dev/sdz"]);
    expect(disk.exitCode).toBe(2);
    const bad = await run("start", "--address", "10.215.0.2");
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split("\n")[0]).toMatch(/^nixos-via: error: address 10\.215\.0\.2: give the container's IPv4 address with its prefix/);
  });

  it("boots generation 1 as PID 1 of its own namespaces; its sshd answers in its own network namespace", async () => {
    const started = await run("start", "--address", `${address}/24`, "--json");
    expect(started.exitCode, started.stderr).toBe(0);
    expect(events(started.stdout).at(-1)).toMatchObject({ type: "result", ok: true, state: "running", veth: { address: `${address}/24` } });
    await until("generation 1 up", async () => ((await run("logs")).stdout.includes("nixos-via-example: generation 1 up") ? true : undefined));
    const { exitCode, status: s } = await status();
    expect(exitCode).toBe(0);
    expect(s).toMatchObject({ state: "running", toplevel: gen1, current: gen1 });
    // Its own PID, mount, network, UTS and IPC namespaces: none is this machine's.
    const own = await namespaces(s.pid!);
    const host = await namespaces("self");
    for (let i = 0; i < own.length; i++) expect(own[i]).not.toBe(host[i]);
    // PID 1 inside is the init the host knows by s.pid.
    expect((await readFile(`/proc/${s.pid}/status`, "utf8")).match(/^NSpid:\s+(.*)$/m)?.[1]?.split(/\s+/)).toEqual([String(s.pid), "1"]);
    const version = await until("sshd in the container", async () => {
      const r = await inside("cat /run/current-system/nixos-version");
      return r.exitCode === 0 ? r.stdout.trim() : undefined;
    });
    expect(version).toBe("via-example-1");
    // The listener is in the container's network namespace, not the host's.
    const listeners = await execa("nsenter", ["-t", String(s.pid), "-n", "ss", "-Hltn"]);
    expect(listeners.stdout).toMatch(/0\.0\.0\.0:22\b/);
    const again = await run("start");
    expect(again.exitCode).toBe(1);
    expect(again.stderr.split("\n")[0]).toContain("already runs as a container");
  }, 60_000);

  it("deploys generation 2 into the running container: switched inside, confirmed, same PID 1", async () => {
    const before = (await status()).status;
    const deployed = await run("deploy", "--system", gen2, "--json");
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(events(deployed.stdout).at(-1)).toMatchObject({ type: "result", outcome: "confirmed", generation: 2 });
    const after = (await status()).status;
    expect(after).toMatchObject({ state: "running", pid: before.pid, toplevel: gen1, current: gen2 });
    expect((await inside("cat /run/current-system/nixos-version")).stdout.trim()).toBe("via-example-2");
    expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-2-link");
    const listed = await run("generations", "--json");
    expect((JSON.parse(listed.stdout) as { generations: { number: number; current: boolean }[] }).generations.find((g) => g.current)?.number).toBe(2);
  }, 60_000);

  it("rolls a generation without sshd back: its health check fails inside the container", async () => {
    const before = (await status()).status;
    const deployed = await run("deploy", "--system", broken, "--health-check", "nc -z 127.0.0.1 22", "--confirm-timeout", "10");
    expect(deployed.exitCode, deployed.stderr).toBe(13);
    expect(deployed.stderr).toContain("start-sshd: this generation is built with brokenSsh=1");
    expect(deployed.stderr).toMatch(/rolled back from generation 3/);
    expect((await status()).status).toMatchObject({ pid: before.pid, current: gen2 });
    expect((await inside("cat /run/current-system/nixos-version")).stdout.trim()).toBe("via-example-2");
  }, 60_000);

  it("rolls back by itself when the deployer vanishes before confirming", async () => {
    const before = (await status()).status;
    const [uri, ...options] = target();
    const deployer = execa("node", [cliBin, "deploy", uri!, "--system", broken, "--health-check", "sleep 30", "--health-timeout", "3", "--confirm-timeout", "3", ...options], { reject: false, all: true });
    let seen = "";
    deployer.all!.on("data", (chunk: Buffer) => (seen += chunk.toString()));
    await until("the switch waiting for its verdict", async () => (seen.includes("waiting up to") ? true : undefined), 60_000);
    deployer.kill("SIGKILL");
    await deployer;
    // Nobody confirms: within 3 + 3 s the container goes back to generation 2 on its own.
    const back = await until("the rollback", async () => {
      const s = (await status()).status;
      return s.current === gen2 && (await readlink(join(root, "nix/var/nix/profiles/system"))) === "system-2-link" ? s : undefined;
    });
    expect(back.pid).toBe(before.pid);
    const version = await until("sshd back", async () => {
      const r = await inside("cat /run/current-system/nixos-version");
      return r.exitCode === 0 ? r.stdout.trim() : undefined;
    });
    expect(version).toBe("via-example-2");
  }, 90_000);

  it("rollback switches the running container back to generation 1, in place", async () => {
    const before = (await status()).status;
    const rolled = await run("rollback", "--json");
    expect(rolled.exitCode, rolled.stderr).toBe(0);
    expect(events(rolled.stdout).at(-1)).toMatchObject({ type: "result", from: 2, to: 1 });
    expect((await status()).status).toMatchObject({ pid: before.pid, current: gen1 });
    const version = await until("sshd after the rollback", async () => {
      const r = await inside("cat /run/current-system/nixos-version");
      return r.exitCode === 0 ? r.stdout.trim() : undefined;
    });
    expect(version).toBe("via-example-1");
  }, 60_000);

  it("stop leaves no process, namespace, veth or mount behind; logs still show the console", async () => {
    const s = (await status()).status;
    const own = await namespaces(s.pid!);
    const dry = await run("stop", "--dry-run");
    expect(dry.exitCode).toBe(0);
    expect((await status()).status.state).toBe("running");

    const [uri, ...options] = target();
    const follower = execa("node", [cliBin, "logs", uri!, "--follow", "-n", "1", ...options], { reject: false });
    let followedSoFar = "";
    follower.stdout!.on("data", (chunk: Buffer) => (followedSoFar += chunk.toString()));
    await until("the follower's first line", async () => (followedSoFar !== "" ? true : undefined));
    const stopped = await run("stop");
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(existsSync(`/proc/${s.pid}`)).toBe(false);
    const inUse = await namespacesInUse();
    for (const ns of own) expect(inUse.has(ns)).toBe(false);
    expect((await execa("ip", ["link", "show", s.veth!.hostInterface], { reject: false })).exitCode).not.toBe(0);
    expect(await readFile("/proc/mounts", "utf8")).not.toContain(root);
    expect((await execa("ip", ["netns", "list"])).stdout).not.toContain("web");
    // A follow ends by itself once the container has stopped, with what it printed last.
    const followed = await follower;
    expect(followed.exitCode).toBe(0);
    expect(followed.stdout).toContain("stage-2: stopping");
    const after = await run("status");
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toContain(": stopped");
    const logs = await run("logs");
    expect(logs.stdout).toContain("nixos-via-example: generation 1 up");
    expect(logs.stdout).toContain("stage-2: stopping");
    // Stopped, a deploy only sets the boot generation: nothing runs it.
    const deployed = await run("deploy", "--system", gen1);
    expect(deployed.exitCode, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain("inside the root");
  }, 60_000);

  it("reports a container whose init died, with its last console lines", async () => {
    const started = await run("start", "--net");
    expect(started.exitCode, started.stderr).toBe(0);
    const s = await until("generation 1 up", async () => {
      const now = (await status()).status;
      return now.console.some((l) => l.includes("generation 1 up")) ? now : undefined;
    });
    // Its own network namespace without a veth pair: only lo.
    process.kill(s.pid!, "SIGKILL");
    const died = await until("the death", async () => {
      const now = await status();
      return now.status.state === "exited" ? now : undefined;
    });
    expect(died.exitCode).toBe(1);
    expect(died.status.exitStatus).not.toBe(0);
    expect(died.status.console).toContain("nixos-via-example: generation 1 up");
    const text = await run("status");
    expect(text.stdout).toContain(`its init exited with status ${died.status.exitStatus}`);
    expect(text.stdout).toContain("generation 1 up");
  }, 60_000);
});
