import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, NIX_ENV } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { bootRescue, buildRescue, OVMF } from "../support/rescue.js";
import { freePort } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const repo = new URL("../../", import.meta.url).pathname;

// Two fleet runs over two QEMU machines, booted once. The first installs `fresh`, which
// starts in the rescue VM (layout, reboot, wait), and deploys `running`, which runs the
// example system, its next generation (detached switch, confirmation, a health check), in
// one wave. The second gives `running` a system whose health check fails: magic rollback of
// a live `/` under a fleet, the host reported rolled back, `fresh` unchanged, exit 1.
// Every run: this is the two-QEMU-machines test, the only place magic rollback of a
// live `/` runs under a fleet. The file took 296 s (4.9 min) in vitest, the second
// rollout 16 s of it, on the shared two cores (the install's TCG boots are most of it).
describe("nixos-via fleet deploy onto two QEMU machines", () => {
  const workspace = useVmWorkspace("nixos-via-fleet-qemu-");
  /** What the first rollout leaves for the second: the machines, the network, the ssh options. */
  let fleet: { network: string; ssh: string[]; fresh: number; running: number; key: string; knownHosts: string; gen1: string; gen2: string } | undefined;
  const cli = (args: string[]) => execa("node", [`${repo}packages/cli/bin/nixos-via.js`, ...args], { reject: false, stdin: "ignore", env: NIX_ENV });
  const currentSystem = async (port: number, key: string, knownHosts: string) =>
    (await execa("ssh", ["-p", String(port), "-i", key, "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "root@127.0.0.1", "readlink -f /run/current-system"])).stdout.trim();

  it("installs the machine in its rescue system and deploys the running one, in one rollout", async () => {
    const work = workspace.dir();
    const rescue = await buildRescue(work);
    const keys = { authorizedKeys: rescue.client.pub };
    const [gen1, gen2] = [await buildMiniSystem({ ...keys, generation: "1" }), await buildMiniSystem({ ...keys, generation: "2" })];

    // `running`: the example system installed into a root, as an ext4 image booted directly.
    const root = join(work, "root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    expect((await nixosVia(["install", `dir:${root}`, "--system", gen1])).exitCode).toBe(0);
    const image = join(work, "running.img");
    await execa("mkfs.ext4", ["-q", "-F", "-d", root, image, "1G"]);
    const runningPort = await freePort();
    const running = workspace.track(startVm({
      disks: [image], kernel: join(gen1, "kernel"), initrd: join(gen1, "initrd"),
      append: `init=${gen1}/init ${(await readFile(join(gen1, "kernel-params"), "utf8")).trim()}`,
      sshPort: runningPort, serialLog: join(work, "running.log"),
    }));
    // `fresh`: a blank disk in the rescue system.
    const disk = join(work, "fresh.img");
    await execa("truncate", ["-s", "2G", disk]);
    const freshPort = await freePort();
    const rescueVm = await bootRescue(rescue, { disks: [disk], sshPort: freshPort, serialLog: join(work, "rescue.log"), track: workspace.track });
    await running.waitFor(/nixos-via-example: generation 1 up/, 240_000);

    const network = join(work, "network.json");
    await writeFile(network, JSON.stringify({
      fresh: { target: `ssh://root@127.0.0.1:${freshPort}`, system: gen2, install: { layout: `${repo}examples/layouts/uefi-ext4.json`, wipe: ["/dev/vda"] }, tags: ["new"] },
      running: { target: `ssh://root@127.0.0.1:${runningPort}`, system: gen2, healthChecks: ["test -e /run/current-system/nixos-version"] },
    }));
    const ssh = ["-i", rescue.client.key, "--known-hosts", join(work, "known_hosts"), "--accept-new-host-key", "--ssh-config", "/dev/null"];
    const plan = await nixosVia(["fleet", "plan", "--network", network, ...ssh], NIX_ENV);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^ {2}fresh +install /m);
    expect(plan.stdout).toMatch(/^ {2}running +deploy .*switch$/m);

    const run = cli(["fleet", "deploy", "--network", network, "--canary", "0", "--max-unavailable", "100%", "--json", ...ssh]);
    // The rescue VM runs with -no-reboot: the install's reboot ends it, and the machine
    // comes back from its disk under UEFI on the same port, which the install waits for.
    await rescueVm.exited();
    const vars = join(work, "vars.fd");
    await copyFile(OVMF.vars, vars);
    const installed = workspace.track(startVm({ disks: [disk], firmware: { code: OVMF.code, vars }, memoryMiB: 512, sshPort: freshPort, serialLog: join(work, "installed.log") }));
    const result = await run;
    expect(result.exitCode, `${result.stderr}\n${result.stdout.slice(-4000)}`).toBe(0);
    const evs = events(result.stdout);
    expect(evs.every((e) => "host" in e)).toBe(true);
    expect(evs.find((e) => e["type"] === "result")).toMatchObject({
      ok: true,
      hosts: [
        { host: "fresh", state: "install", outcome: { kind: "confirmed", action: "install", generation: 1 } },
        { host: "running", state: "deploy", outcome: { kind: "confirmed", action: "deploy", generation: 2 } },
      ],
    });
    expect(await installed.waitFor(/nixos-via-example: generation 2 up/, 60_000)).toContain("generation 2 up");
    expect(await currentSystem(runningPort, rescue.client.key, join(work, "known_hosts"))).toBe(gen2);
    fleet = { network, ssh, fresh: freshPort, running: runningPort, key: rescue.client.key, knownHosts: join(work, "known_hosts"), gen1, gen2 };
  });

  it("a failing health check on the running machine rolls its live / back; the host is reported rolled back, exit 1", async () => {
    if (fleet === undefined) throw new Error("the first rollout did not finish");
    const { network, ssh, gen1, gen2 } = fleet;
    const hosts = JSON.parse(await readFile(network, "utf8")) as Record<string, Record<string, unknown>>;
    // `running` goes back to generation 1's system as a new generation, whose check fails.
    await writeFile(network, JSON.stringify({ ...hosts, running: { ...hosts["running"], system: gen1, healthChecks: ["test -e /run/current-system/no-such-file"] } }));
    const result = await cli(["fleet", "deploy", "--network", network, "--canary", "0", "--max-unavailable", "100%", "--json", ...ssh]);
    expect(result.exitCode, `${result.stderr}\n${result.stdout.slice(-4000)}`).toBe(1);
    const evs = events(result.stdout);
    expect(evs.every((e) => "host" in e)).toBe(true);
    expect(evs.find((e) => e["type"] === "result")).toMatchObject({
      ok: false,
      hosts: [
        { host: "fresh", state: "unchanged", outcome: { kind: "unchanged" } },
        { host: "running", state: "deploy", outcome: { kind: "failed", action: "deploy", code: "DEPLOY_ROLLED_BACK", rolledBack: true } },
      ],
    });
    expect(result.stdout.split("\n").filter((l) => l.includes('"type":"host-start"')).map((l) => (JSON.parse(l) as { host: string }).host)).toEqual(["running"]);
    // The machine switched to the new generation, the check failed, and it switched itself back.
    expect(await currentSystem(fleet.running, fleet.key, fleet.knownHosts)).toBe(gen2);
    expect(await currentSystem(fleet.fresh, fleet.key, fleet.knownHosts)).toBe(gen2);
  });
});
