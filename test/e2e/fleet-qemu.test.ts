import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, NIX_ENV } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { bootRescue, buildRescue, OVMF } from "../support/rescue.js";
import { slowTests } from "../support/slowTests.js";
import { freePort } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const repo = new URL("../../", import.meta.url).pathname;

// One fleet run over two QEMU machines: `fresh` starts in the rescue VM and is installed
// (layout, reboot, wait), `running` runs the example system and is deployed its next
// generation (detached switch, confirmation, a health check), both in the same wave.
// Slow-only: both paths are booted every run by install-ssh-rescue and deploy-ssh, and
// the fleet's own logic runs every time on 8 real hosts in test/integration/fleet.test.ts;
// this adds two TCG machines at once (minutes on two cores) for their combination.
describe.runIf(slowTests)("nixos-via fleet deploy onto two QEMU machines", () => {
  const workspace = useVmWorkspace("nixos-via-fleet-qemu-");

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

    const run = execa("node", [`${repo}packages/cli/bin/nixos-via.js`, "fleet", "deploy", "--network", network, "--canary", "0", "--max-unavailable", "100%", "--json", ...ssh], { reject: false, stdin: "ignore", env: NIX_ENV });
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
    const current = await execa("ssh", ["-p", String(runningPort), "-i", rescue.client.key, "-o", `UserKnownHostsFile=${join(work, "known_hosts")}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "root@127.0.0.1", "readlink -f /run/current-system"]);
    expect(current.stdout.trim()).toBe(gen2);
  });
});
