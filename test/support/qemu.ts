import { readFile } from "node:fs/promises";
import { execa, type ResultPromise } from "execa";

/** How to boot a VM: a kernel directly, or firmware from a disk. */
export interface VmOptions {
  /** Raw disk images, attached as virtio disks in order. */
  readonly disks: readonly string[];
  /** Boot this kernel directly (with `initrd` and `append`) instead of from the first disk. */
  readonly kernel?: string;
  readonly initrd?: string;
  readonly append?: string;
  /** `bios` (SeaBIOS, the default) or `uefi` (OVMF; needs a writable copy of the varstore). */
  readonly firmware?: "bios" | { readonly code: string; readonly vars: string };
  /** @default 512 */
  readonly memoryMiB?: number;
  /** Forward 127.0.0.1:PORT to the guest's port 22. */
  readonly sshPort?: number;
  /** Where the serial console is written. */
  readonly serialLog: string;
  /** Exit instead of restarting when the guest reboots. @default true */
  readonly noReboot?: boolean;
  /** Let the test type on the serial console ({@link Vm.type}), e.g. a LUKS passphrase. @default false */
  readonly serialInput?: boolean;
}

export interface Vm {
  /** Resolves when QEMU has exited (with -no-reboot: the guest rebooted or powered off). */
  exited(): Promise<void>;
  /** Resolves when the serial console shows `pattern`; rejects after `timeoutMs` or if QEMU ends. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Types `text` on the serial console (needs `serialInput`). */
  type(text: string): void;
  stop(): Promise<void>;
}

/**
 * Starts QEMU in software emulation (KVM does not work on this machine kind), the
 * serial console going to a file the test reads.
 */
export function startVm(options: VmOptions): Vm {
  const args = ["-m", String(options.memoryMiB ?? 512), "-display", "none"];
  // With input, the console is QEMU's stdin/stdout, still logged to the file the test reads.
  if (options.serialInput) args.push("-chardev", `stdio,id=console,signal=off,logfile=${options.serialLog}`, "-serial", "chardev:console");
  else args.push("-serial", `file:${options.serialLog}`);
  if (options.noReboot ?? true) args.push("-no-reboot");
  // Without an entropy source sshd and ssh-keygen wait for the kernel's pool at boot.
  args.push("-device", "virtio-rng-pci");
  if (options.kernel) {
    args.push("-kernel", options.kernel);
    if (options.initrd) args.push("-initrd", options.initrd);
    if (options.append) args.push("-append", options.append);
  }
  if (options.firmware !== undefined && options.firmware !== "bios") {
    args.push(
      "-drive", `if=pflash,format=raw,unit=0,readonly=on,file=${options.firmware.code}`,
      "-drive", `if=pflash,format=raw,unit=1,file=${options.firmware.vars}`,
    );
  }
  for (const disk of options.disks) args.push("-drive", `file=${disk},if=virtio,format=raw`);
  args.push("-netdev", `user,id=n${options.sshPort ? `,hostfwd=tcp:127.0.0.1:${options.sshPort}-:22` : ""}`);
  args.push("-device", "virtio-net-pci,netdev=n");
  const proc: ResultPromise = execa("qemu-system-x86_64", args, options.serialInput ? { reject: false, stdin: "pipe", stdout: "ignore" } : { reject: false, stdin: "ignore" });
  let ended = false;
  void proc.then(() => {
    ended = true;
  });
  return {
    exited: async () => {
      await proc;
    },
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const log = await readFile(options.serialLog, "utf8").catch(() => "");
        if (pattern.test(log)) return log;
        if (ended) throw new Error(`QEMU ended before the console showed ${pattern}:\n${log.slice(-3000)}`);
        if (Date.now() > deadline) throw new Error(`the console did not show ${pattern} within ${timeoutMs} ms:\n${log.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    type(text) {
      if (!options.serialInput) throw new Error("startVm: type() needs serialInput: true");
      proc.stdin?.write(text);
    },
    async stop() {
      if (!ended) proc.kill("SIGKILL");
      await proc;
    },
  };
}
