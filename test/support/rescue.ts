import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { startVm, type Vm } from "./qemu.js";
import { keyPair } from "./sshd.js";

const repo = new URL("../../", import.meta.url).pathname;

/** OVMF's firmware and the varstore each UEFI VM copies (TESTBED.md). */
export const OVMF = { code: "/usr/share/OVMF/OVMF_CODE_4M.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.fd" } as const;

/** A rescue system built by test/rescue/build-initramfs.sh, and the keys to reach it. */
export interface Rescue {
  /** Holds `vmlinuz`, `initramfs.gz` and `manifest.txt`. */
  readonly dir: string;
  /** The client key root may log in with. */
  readonly client: { readonly key: string; readonly pub: string };
  /** The rescue system's own host key (`ssh-ed25519 AAAA…`), known in advance. */
  readonly hostKey: string;
}

/** Builds a rescue system under `work` with a fixed host key and a client key that may log in. */
export async function buildRescue(work: string, options: { readonly busyboxOnly?: boolean } = {}): Promise<Rescue> {
  const client = await keyPair(work, "client");
  const hostKeys = join(work, "hostkeys");
  await mkdir(hostKeys);
  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(hostKeys, "ssh_host_ed25519_key")]);
  const dir = join(work, "rescue");
  await execa("bash", [
    `${repo}test/rescue/build-initramfs.sh`, ...(options.busyboxOnly ? ["--busybox-only"] : []),
    "--host-key-dir", hostKeys, "--authorized-keys", `${client.key}.pub`, dir,
  ]);
  const hostKey = (await readFile(join(hostKeys, "ssh_host_ed25519_key.pub"), "utf8")).split(" ").slice(0, 2).join(" ");
  return { dir, client, hostKey };
}

/** Boots the rescue system directly (BIOS, `-no-reboot`) on `disks` and waits until its sshd listens. */
export async function bootRescue(
  rescue: Rescue,
  options: { readonly disks: readonly string[]; readonly sshPort: number; readonly serialLog: string; readonly track: (vm: Vm) => Vm },
): Promise<Vm> {
  const vm = options.track(
    startVm({
      disks: options.disks,
      kernel: join(rescue.dir, "vmlinuz"),
      initrd: join(rescue.dir, "initramfs.gz"),
      append: "console=ttyS0 quiet",
      memoryMiB: 512,
      sshPort: options.sshPort,
      serialLog: options.serialLog,
    }),
  );
  await vm.waitFor(/nixos-via-rescue: ready/, 180_000);
  return vm;
}
