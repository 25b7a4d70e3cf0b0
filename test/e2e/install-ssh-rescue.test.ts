import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { events } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { bootRescue, buildRescue, OVMF } from "../support/rescue.js";
import { freePort } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

const repo = new URL("../../", import.meta.url).pathname;

// The whole story of install-via-ssh: a 512 MiB machine in its rescue system (no Nix, no
// kexec) gets a UEFI layout and the example system over SSH, reboots, comes back from its
// own disk under OVMF, and the installer sees it answer running the new system.
describe("install ssh:// from a rescue system", () => {
  const workspace = useVmWorkspace("nixos-via-rescue-");

  it("installs, reboots into the new system, and waits for it", async () => {
    const work = workspace.dir();
    const rescueSystem = await buildRescue(work);
    const { client, hostKey } = rescueSystem;
    const disk = join(work, "disk.img");
    await execa("truncate", ["-s", "2G", disk]);
    const toplevel = await buildMiniSystem({ generation: "1", boot: "uefi", authorizedKeys: client.pub });
    const port = await freePort();

    const rescueVm = await bootRescue(rescueSystem, { disks: [disk], sshPort: port, serialLog: join(work, "rescue.log"), track: workspace.track });

    const knownHosts = join(work, "known_hosts");
    const install = execa(
      "node",
      [
        `${repo}packages/cli/bin/nixos-via.js`, "install", `ssh://root@127.0.0.1:${port}`,
        "--wipe", "/dev/vda", "--layout", `${repo}examples/layouts/uefi-ext4.json`, "--system", toplevel,
        "-i", client.key, "--known-hosts", knownHosts, "--accept-new-host-key", "--ssh-config", "/dev/null",
        "--wait-timeout", "400", "--json",
      ],
      { reject: false, stdin: "ignore" },
    );

    // The rescue VM runs with -no-reboot: the installer's reboot ends it, and the machine
    // comes back from its disk with UEFI firmware, on the same forwarded port.
    await rescueVm.exited();
    const vars = join(work, "vars.fd");
    await copyFile(OVMF.vars, vars);
    const installed = startVm({
      disks: [disk],
      firmware: { code: OVMF.code, vars },
      memoryMiB: 512,
      sshPort: port,
      serialLog: join(work, "installed.log"),
    });
    workspace.track(installed);

    const result = await install;
    expect(result.exitCode, `${result.stderr}\n${result.stdout.slice(-4000)}`).toBe(0);
    const log = await installed.waitFor(/nixos-via-example: generation 1 up/, 60_000);
    expect(log).toContain("nixos-via-example: generation 1 up");
    const evs = events(result.stdout);
    expect(evs.find((e) => e["type"] === "result")).toMatchObject({ ok: true, generation: 1 });
    // known_hosts holds the rescue system's key (accepted on first use) and the new
    // system's, learnt over the trusted connection before the reboot: nothing else.
    const rescueKey = hostKey.split(" ")[1]!;
    const lines = (await readFile(knownHosts, "utf8")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`[127.0.0.1]:${port} ${hostKey}`);
    expect(lines[1]).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} ssh-ed25519 `));
    expect(lines[1]).not.toContain(rescueKey);
  });
});
