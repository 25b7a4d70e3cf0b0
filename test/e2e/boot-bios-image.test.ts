import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nixosVia } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm, type Vm } from "../support/qemu.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const layouts = new URL("../../examples/layouts/", import.meta.url).pathname;

// install image: with a BIOS layout (GPT, EF02, ext4 root with the legacy-bootable
// attribute) writes a disk that SeaBIOS boots through extlinux.
describe("an image: install with a BIOS layout boots", () => {
  let work: string;
  let vm: Vm | undefined;

  beforeAll(async () => {
    work = await tempRoot("nixos-via-e2e-bios-");
  });
  afterAll(async () => {
    await vm?.stop();
    await removeTree(work);
  });

  it("prints 'generation 1 up' on the serial console and leaves nothing attached or mounted", async () => {
    const toplevel = await buildMiniSystem({ generation: "1", boot: "bios" });
    const image = join(work, "bios.img");
    const run = await nixosVia(["install", `image:${image}`, "--image-size", "1G", "--layout", `${layouts}bios-ext4.json`, "--system", toplevel]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect((await execa("losetup", ["-j", image])).stdout).toBe("");
    expect((await execa("cat", ["/proc/self/mounts"])).stdout).not.toContain("/run/nixos-via-");

    const partitions = (await execa("sgdisk", ["-p", image])).stdout;
    expect(partitions).toContain("disk-main-boot");
    expect(partitions).toContain("disk-main-root");
    expect((await execa("sgdisk", ["-A", "2:show", image])).stdout).toMatch(/legacy BIOS bootable/);

    vm = startVm({ disks: [image], serialLog: join(work, "serial.log") });
    const log = await vm.waitFor(/nixos-via-example: generation 1 up/, 240_000);
    expect(log).toContain("nixos-via-example: generation 1 up");
  });
});
