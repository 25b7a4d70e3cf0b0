import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { buildMiniSystem } from "./nix.js";
import { startVm, type Vm } from "./qemu.js";
import { OVMF } from "./rescue.js";
import { keyPair } from "./sshd.js";

const repo = new URL("../../", import.meta.url).pathname;

/** A stock Linux disk built by test/stock/build-stock-disk.sh, and the keys to reach it. */
export interface StockDisk {
  readonly disk: string;
  readonly client: { readonly key: string; readonly pub: string };
  /** Its own host public key (`ssh-ed25519 AAAA…`). */
  readonly hostKey: string;
}

/** Builds the stock VM's disk under `work`: its own host key, a client key root accepts. */
export async function buildStockDisk(work: string): Promise<StockDisk> {
  const client = await keyPair(work, "client");
  const hostKeys = join(work, "stock-hostkeys");
  await mkdir(hostKeys);
  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "stock", "-f", join(hostKeys, "ssh_host_ed25519_key")]);
  // The stage-1 initramfs that mounts root= and runs init= is the example system's.
  const initrd = join(await buildMiniSystem({ generation: "1" }), "initrd");
  const disk = join(work, "stock.img");
  await execa("bash", [`${repo}test/stock/build-stock-disk.sh`, "--host-key-dir", hostKeys, "--authorized-keys", `${client.key}.pub`, "--initrd", initrd, disk]);
  const hostKey = (await readFile(join(hostKeys, "ssh_host_ed25519_key.pub"), "utf8")).split(" ").slice(0, 2).join(" ");
  return { disk, client, hostKey };
}

/**
 * Boots the stock disk with OVMF and waits for "stock: ready". QEMU restarts the machine on
 * a reboot (no -no-reboot), as a real one does: it then boots whatever the disk holds.
 */
export async function bootStock(
  stock: StockDisk,
  options: { readonly work: string; readonly sshPort: number; readonly memoryMiB: number; readonly serialLog: string; readonly track: (vm: Vm) => Vm },
): Promise<Vm> {
  const vars = join(options.work, `vars-${options.sshPort}.fd`);
  await copyFile(OVMF.vars, vars);
  const vm = options.track(
    startVm({ disks: [stock.disk], firmware: { code: OVMF.code, vars }, memoryMiB: options.memoryMiB, sshPort: options.sshPort, serialLog: options.serialLog, noReboot: false }),
  );
  await vm.waitFor(/stock: ready/, 240_000);
  return vm;
}
