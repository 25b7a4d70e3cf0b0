import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm, type Vm } from "../support/qemu.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const layouts = new URL("../../examples/layouts/", import.meta.url).pathname;

// A system that carries its own disk layout ($toplevel/disko.json, here put there by the
// mini-system's `layout` argument) is installed onto an image with no --layout: the install
// uses the system's layout, says so in its plan, and the image boots (SeaBIOS, extlinux).
// Every run: one BIOS boot, about as long as boot-bios-image's.
describe("a system that carries its layout installs with no --layout and boots", () => {
  let work: string;
  let vm: Vm | undefined;
  let toplevel: string;

  beforeAll(async () => {
    work = await tempRoot("nixos-via-e2e-disko-layout-");
    toplevel = await buildMiniSystem({ generation: "1", boot: "bios", layout: `${layouts}bios-ext4.json` });
  });
  afterAll(async () => {
    await vm?.stop();
    await removeTree(work);
  });

  it("plans with the system's layout, and --layout overrides it", async () => {
    const own = await nixosVia(["install", `image:${join(work, "dry.img")}`, "--image-size", "1G", "--system", toplevel, "--dry-run", "--json"]);
    expect(own.exitCode, own.stderr).toBe(0);
    const plan = events(own.stdout).find((e) => e.type === "plan")?.plan as { layout?: string; steps: { description: string }[] } | undefined;
    expect(plan?.layout).toBe(`the system's ${toplevel}/disko.json`);
    expect(plan?.steps.map((s) => s.description)).toContain("create partition 1 (disk-main-boot) on disk main");

    const given = await nixosVia(["install", `image:${join(work, "dry.img")}`, "--image-size", "1G", "--system", toplevel, "--layout", `${layouts}msdos.json`, "--dry-run"]);
    expect(given.exitCode, given.stderr).toBe(0);
    expect(given.stdout).toContain(`  disk layout: ${layouts}msdos.json`);
    expect(given.stdout).not.toContain("disk-main-boot");
  });

  it("prints 'generation 1 up' on the serial console", async () => {
    const image = join(work, "carried.img");
    const run = await nixosVia(["install", `image:${image}`, "--image-size", "1G", "--system", toplevel]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr + run.stdout).toContain(`using the disk layout the system carries: ${toplevel}/disko.json`);
    const partitions = (await execa("sgdisk", ["-p", image])).stdout;
    expect(partitions).toContain("disk-main-boot");
    expect(partitions).toContain("disk-main-root");

    vm = startVm({ disks: [image], serialLog: join(work, "serial.log") });
    const log = await vm.waitFor(/nixos-via-example: generation 1 up/, 240_000);
    expect(log).toContain("nixos-via-example: generation 1 up");
  });
});
