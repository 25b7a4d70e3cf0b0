import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nixosVia } from "../support/cli.js";
import { buildMiniSystem } from "../support/nix.js";
import { startVm, type Vm } from "../support/qemu.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

// What install dir: leaves behind boots: the root becomes an ext4 image (mkfs.ext4 -d,
// no mount needed) and QEMU starts the installed kernel and initrd on it.
describe("a dir: install boots", () => {
  let work: string;
  let vm: Vm | undefined;

  beforeAll(async () => {
    work = await tempRoot("nixos-via-e2e-");
  });
  afterAll(async () => {
    await vm?.stop();
    await removeTree(work);
  });

  it("prints 'generation 1 up' on the serial console", async () => {
    const toplevel = await buildMiniSystem({ generation: "1" });
    const root = join(work, "root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    const run = await nixosVia(["install", `dir:${root}`, "--system", toplevel]);
    expect(run.exitCode, run.stderr).toBe(0);

    const image = join(work, "root.img");
    await execa("mkfs.ext4", ["-q", "-F", "-d", root, image, "1G"]);
    const params = (await readFile(join(root, toplevel.slice(1), "kernel-params"), "utf8")).trim();
    const serialLog = join(work, "serial.log");
    vm = startVm({
      disks: [image],
      kernel: join(root, toplevel.slice(1), "kernel"),
      initrd: join(root, toplevel.slice(1), "initrd"),
      append: `init=${toplevel}/init ${params}`,
      serialLog,
    });
    const log = await vm.waitFor(/nixos-via-example: generation 1 up/, 240_000);
    expect(log).toContain("nixos-via-example: generation 1 up");
  });
});
