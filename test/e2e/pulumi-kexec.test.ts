import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { createNixosHostProvider, type NixosHostInputs } from "@nixos-via/pulumi";
import { buildMiniSystem } from "../support/nix.js";
import { slowTests } from "../support/slowTests.js";
import { freePort } from "../support/sshd.js";
import { bootStock, buildStockDisk, type StockDisk } from "../support/stock.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const repo = new URL("../../", import.meta.url).pathname;

// A NixosHost with `install.method: "kexec"` on the stock Debian-like VM of test/stock
// (test/support/stock.ts, as install-ssh-kexec.test.ts uses it), its host key given as a
// cloud API gives it. Every run (one boot of the stock VM, ~2.3 min here with the disk build): the
// preview of the create — Pulumi calls check, not diff, for a resource it creates — reads
// the machine over SSH and says it will kexec-install, with the installer's size, and
// nothing on the machine changes. The full create is slow-only: it is the SDK's kexec
// install, which install-ssh-kexec.test.ts runs every time through the CLI, another ~3
// minutes of TCG (192 s measured on a shared 2-core host).
describe("@nixos-via/pulumi: a NixosHost installed by kexec on a stock Linux", () => {
  const workspace = useVmWorkspace("nixos-via-pulumi-kexec-");
  const lines: string[] = [];
  const provider = createNixosHostProvider({ log: (l) => lines.push(l) });
  let stock: StockDisk;
  let inputs: NixosHostInputs;
  let toplevel: string;
  let ssh: (command: string) => Promise<{ exitCode?: number | undefined; stdout: string }>;

  beforeAll(async () => {
    const work = workspace.dir();
    stock = await buildStockDisk(work);
    const port = await freePort();
    await bootStock(stock, { work, sshPort: port, memoryMiB: 512, serialLog: join(work, "serial.log"), track: workspace.track });
    toplevel = await buildMiniSystem({ generation: "1", boot: "uefi", authorizedKeys: stock.client.pub });
    inputs = {
      target: `ssh://root@127.0.0.1:${port}`,
      system: toplevel,
      hostKey: stock.hostKey,
      install: { method: "kexec", layout: `${repo}examples/layouts/uefi-ext4.json`, wipe: ["/dev/vda"], copyHostKeys: true },
      ssh: { identityFiles: [stock.client.key], configFile: false },
    };
    const knownHosts = join(work, "known_hosts");
    await execa("sh", ["-c", `echo "[127.0.0.1]:${port} ${stock.hostKey}" > "${knownHosts}"`]);
    ssh = (command) =>
      execa("ssh", ["-p", String(port), "-i", stock.client.key, "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-F", "/dev/null", "root@127.0.0.1", command], { reject: false });
  }, 900_000);

  it("the preview of the create reads the machine and says it installs by kexec, with the installer's size; nothing changes", async () => {
    const checked = await provider.check({} as NixosHostInputs, inputs);
    expect(checked.failures).toBeUndefined();
    expect(lines.at(-1)).toMatch(
      new RegExp(`^${inputs.target}: not NixOS yet → install ${toplevel} as generation 1 by kexec \\(upload the installer, [\\d.]+ MiB, and boot it in [\\d.]+ MiB of RAM\\): send \\d+ store paths \\(.+\\), reboot into it$`),
    );
    const change = await provider.preview(inputs, stock.hostKey);
    expect(change).toMatchObject({ kind: "install", to: toplevel, generation: 1, activation: "reboot" });
    expect(change.kexec!.uploadBytes).toBeGreaterThan(0);
    expect(change.kexec!.installerRamBytes).toBeGreaterThan(0);
    expect(change.steps.join("\n")).toMatch(/upload the installer[\s\S]*kexec --load[\s\S]*kexec -e/);
    const still = await ssh("test ! -e /run/nixos-via-kexec && cat /etc/os-release");
    expect(still.stdout).toContain("ID=debian");
  }, 600_000);

  it.runIf(slowTests)("create takes the machine over by kexec, installs, and keeps the machine's host key", async () => {
    const created = await provider.create(inputs);
    expect(created.id).toBe(inputs.target);
    expect(created.outs).toMatchObject({ toplevel, generation: 1, lastOutcome: "installed", hostKey: stock.hostKey });
    const after = await ssh("readlink -f /run/current-system");
    expect(after.stdout.trim()).toBe(toplevel);
  }, 1_200_000);
});
