import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { startCutProxy } from "../support/cutProxy.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm, type Vm } from "../support/qemu.js";
import { freePort, keyPair } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const bin = new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname;

// deploy over SSH to the example system running in QEMU: switch, rollback, health checks,
// magic rollback when the new generation locks SSH out, and a connection dropped in the
// middle of the switch.
describe("nixos-via deploy ssh:// to a running system", () => {
  let work: string;
  let vm: Vm | undefined;
  let port: number;
  let key: string;
  let knownHosts: string;
  const gens: Record<string, string> = {};

  const ssh = async (command: string, p = port) =>
    (await execa("ssh", ["-p", String(p), "-i", key, "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "root@127.0.0.1", command])).stdout.trim();
  const current = () => ssh("readlink -f /run/current-system");
  const deployArgs = (system: string, p = port) => ["deploy", `ssh://root@127.0.0.1:${p}`, "--system", system, "-i", key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null"];

  beforeAll(async () => {
    work = await tempRoot("nixos-via-deploy-ssh-");
    const client = await keyPair(work, "client");
    key = client.key;
    const common = { authorizedKeys: client.pub };
    gens["1"] = await buildMiniSystem({ ...common, generation: "1" });
    gens["2"] = await buildMiniSystem({ ...common, generation: "2" });
    gens["3"] = await buildMiniSystem({ ...common, generation: "3", brokenSsh: "1" });
    gens["4"] = await buildMiniSystem({ ...common, generation: "4", activationDelay: "6" });

    const root = join(work, "root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    const installed = await nixosVia(["install", `dir:${root}`, "--system", gens["1"]!]);
    expect(installed.exitCode, installed.stderr).toBe(0);
    // The install made the host key: trust exactly that one, strictly.
    port = await freePort();
    knownHosts = join(work, "known_hosts");
    const hostKey = (await readFile(join(root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8")).split(" ").slice(0, 2).join(" ");
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostKey}\n`);

    const image = join(work, "root.img");
    await execa("mkfs.ext4", ["-q", "-F", "-d", root, image, "1G"]);
    const params = (await readFile(join(gens["1"]!, "kernel-params"), "utf8")).trim();
    vm = startVm({
      disks: [image],
      kernel: join(gens["1"]!, "kernel"),
      initrd: join(gens["1"]!, "initrd"),
      append: `init=${gens["1"]}/init ${params}`,
      sshPort: port,
      serialLog: join(work, "serial.log"),
    });
    await vm.waitFor(/nixos-via-example: generation 1 up/, 240_000);
    expect(await current()).toBe(gens["1"]);
  }, 600_000);

  afterAll(async () => {
    await vm?.stop();
    await removeTree(work);
  });

  it("deploys generation 2 with switch, confirmed over a new connection", async () => {
    const run = await nixosVia([...deployArgs(gens["2"]!), "--json"]);
    expect(run.exitCode, run.stderr + run.stdout.slice(-3000)).toBe(0);
    expect(events(run.stdout).find((e) => e["type"] === "result")).toMatchObject({ ok: true, outcome: "confirmed", generation: 2 });
    expect(await current()).toBe(gens["2"]);
  });

  it("rolls back to generation 1", async () => {
    const run = await nixosVia(["rollback", `ssh://root@127.0.0.1:${port}`, "-i", key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await current()).toBe(gens["1"]);
  });

  it("rolls back when a health check fails", async () => {
    const run = await nixosVia([...deployArgs(gens["2"]!), "--health-check", "test -e /etc/no-such-file"]);
    expect(run.exitCode).toBe(13);
    expect(run.stderr).toContain("health check failed: test -e /etc/no-such-file");
    expect(run.stderr).toMatch(/nixos-via: error: .* rolled back/);
    expect(await current()).toBe(gens["1"]);
  });

  it("returns to the previous generation by itself when the new one locks SSH out", async () => {
    const run = await nixosVia([...deployArgs(gens["3"]!), "--confirm-timeout", "20"]);
    expect(run.exitCode).toBe(11);
    expect(run.stderr).toMatch(/nixos-via: error: .* rolled back .*no confirmation within 20s/);
    expect(await current()).toBe(gens["1"]);
  });

  it("finishes the switch when the connection drops in the middle, and reports the real outcome", async () => {
    const proxy = await startCutProxy(port, Infinity);
    const known = await readFile(knownHosts, "utf8");
    await writeFile(knownHosts, `${known}${known.split("\n")[0]!.replace(`]:${port}`, `]:${proxy.port}`)}\n`);
    try {
      const child = execa("node", [bin, ...deployArgs(gens["4"]!, proxy.port), "--json"], { reject: false, stdin: "ignore" });
      let cut = false;
      child.stdout.on("data", (chunk: Buffer) => {
        // The switch has started on the target (its log streams back): pull the plug.
        if (!cut && chunk.toString().includes("activating the configuration")) {
          cut = true;
          proxy.cutNow();
        }
      });
      const run = await child;
      expect(cut).toBe(true);
      expect(run.exitCode, `${run.stderr}\n${String(run.stdout).slice(-3000)}`).toBe(0);
      const evs = events(String(run.stdout));
      expect(evs.some((e) => e["type"] === "info" && String(e["message"]).includes("reconnecting"))).toBe(true);
      expect(evs.find((e) => e["type"] === "result")).toMatchObject({ ok: true, outcome: "confirmed" });
      expect(await current()).toBe(gens["4"]);
    } finally {
      await proxy.stop();
    }
  });
});
