import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { events } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { slowTests } from "../support/slowTests.js";
import { freePort } from "../support/sshd.js";
import { bootStock, buildStockDisk } from "../support/stock.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const repo = new URL("../../", import.meta.url).pathname;
const MIB = 2 ** 20;

// Issue 13: a stock Debian-like machine (test/stock: systemd-boot, ext4 root, static
// network in /etc/network/interfaces, its own host key, no Nix, no kexec-tools) is taken
// over with `install --kexec` onto its own disk: the installer made from the example
// system's closure boots by kexec, answers with the machine's host key (known_hosts holds
// only that key, checked strictly), installs, reboots (OVMF) into generation 1, which
// answers with the same key (--copy-host-keys). A machine with kexec switched off is
// refused before anything changes. The 256 MiB run is slow-only: the same path as the
// 512 MiB one, another ~4 minutes of TCG.
describe("install ssh:// --kexec from a stock Linux", () => {
  const workspace = useVmWorkspace("nixos-via-kexec-");

  async function firstMiB(disk: string): Promise<Buffer> {
    const file = await open(disk, "r");
    const buffer = Buffer.alloc(MIB);
    await file.read(buffer, 0, MIB, 0);
    await file.close();
    return buffer;
  }

  async function setUp(name: string, memoryMiB: number) {
    const work = join(workspace.dir(), name);
    await execa("mkdir", ["-p", work]);
    const stock = await buildStockDisk(work);
    const port = await freePort();
    const knownHosts = join(work, "known_hosts");
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${stock.hostKey}\n`);
    const serialLog = join(work, "serial.log");
    const vm = await bootStock(stock, { work, sshPort: port, memoryMiB, serialLog, track: workspace.track });
    const toplevel = await buildMiniSystem({ generation: "1", boot: "uefi", authorizedKeys: stock.client.pub });
    const ssh = (command: string) =>
      execa("ssh", ["-p", String(port), "-i", stock.client.key, "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-F", "/dev/null", "root@127.0.0.1", command], { reject: false });
    const install = (...extra: string[]) =>
      execa(
        "node",
        [
          `${repo}packages/cli/bin/nixos-via.js`, "install", `ssh://root@127.0.0.1:${port}`, "--kexec",
          "--wipe", "/dev/vda", "--layout", `${repo}examples/layouts/uefi-ext4.json`, "--system", toplevel,
          "-i", stock.client.key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null", "--copy-host-keys", "--json", ...extra,
        ],
        { reject: false, stdin: "ignore" },
      );
    return { stock, vm, ssh, install, serialLog, toplevel };
  }

  async function installsAndBoots(memoryMiB: number) {
    const { stock, vm, ssh, install, toplevel } = await setUp(`m${memoryMiB}`, memoryMiB);
    const before = await ssh("cat /etc/os-release; cat /proc/sys/kernel/kexec_load_disabled; command -v kexec || echo no-kexec; command -v nix || echo no-nix");
    expect(before.stdout).toContain("ID=debian");
    expect(before.stdout).toContain("no-kexec");
    expect(before.stdout).toContain("no-nix");

    const run = await install();
    expect(run.exitCode, `${run.stderr}\n${run.stdout.slice(-4000)}`).toBe(0);
    const evs = events(run.stdout);
    const plan = evs.find((e) => e["type"] === "plan")!["plan"] as { kexec: Record<string, number>; copy: { staged: number } };
    const result = evs.find((e) => e["type"] === "result") as Record<string, number>;
    const starts = evs.filter((e) => e["type"] === "step-start").map((e) => e["description"] as string);
    expect(starts.slice(0, 5).join("\n")).toMatch(/upload the installer[\s\S]*kexec --load[\s\S]*kexec -e[\s\S]*wait until the installer answers/);
    expect(starts).toContain(`take ${plan.copy.staged} store paths of the closure from the installer's RAM instead of sending them`);
    const log = await vm.waitFor(/nixos-via-example: generation 1 up/, 240_000);
    expect(log).toMatch(/nixos-via-installer: ready/);
    expect(log).toMatch(/nixos-via-installer: network: eth0 10\.0\.2\.15\/24/);

    // The installed system answers with the stock system's host key: known_hosts has no other.
    const after = await ssh("readlink -f /run/current-system; cat /etc/ssh/ssh_host_ed25519_key.pub");
    expect(after.exitCode, after.stderr).toBe(0);
    expect(after.stdout).toContain(toplevel);
    expect(after.stdout).toContain(stock.hostKey);

    const peak = result["installerPeakBytes"]!;
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(memoryMiB * MIB);
    console.log(
      `kexec install at ${memoryMiB} MiB: installer upload ${(plan.kexec["uploadBytes"]! / MIB).toFixed(1)} MiB ` +
        `(${plan.kexec["reusedPaths"]} closure paths, ${(plan.kexec["reusedBytes"]! / MIB).toFixed(1)} MiB, reused from RAM), ` +
        `closure copy ${(result["copiedBytes"]! / MIB).toFixed(1)} MiB on the wire, installer peak memory ${(peak / MIB).toFixed(1)} MiB`,
    );
  }

  it("takes over a 512 MiB machine and boots the installed system with its host key", async () => {
    await installsAndBoots(512);
  }, 1_200_000);

  it("refuses a machine whose kexec is switched off, before any change", async () => {
    const { stock, ssh, install } = await setUp("disabled", 512);
    expect((await ssh("echo 1 > /proc/sys/kernel/kexec_load_disabled")).exitCode).toBe(0);
    const mib = await firstMiB(stock.disk);
    const run = await install();
    expect(run.exitCode).not.toBe(0);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^nixos-via: error: .*cannot take over with kexec: kexec is switched off .*\(nothing was changed\)$/);
    expect(events(run.stdout).some((e) => e["type"] === "step-start")).toBe(false);
    expect((await firstMiB(stock.disk)).equals(mib)).toBe(true);
    const still = await ssh("test ! -e /run/nixos-via-kexec && cat /etc/os-release");
    expect(still.stdout).toContain("ID=debian");
  }, 600_000);

  it.runIf(slowTests)("takes over a 256 MiB machine", async () => {
    await installsAndBoots(256);
  }, 1_200_000);
});
