import { mkdir, writeFile, readFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll } from "vitest";
import type { Target } from "@nixos-via/core";
import { createSshTarget } from "@nixos-via/transport-ssh";

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A key pair in `dir` (`name` and `name.pub`), ed25519 unless another type is asked for. */
export async function keyPair(dir: string, name: string, type: "ed25519" | "rsa" = "ed25519"): Promise<{ key: string; pub: string }> {
  const key = join(dir, name);
  await execa("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", name, "-f", key]);
  return { key, pub: (await readFile(`${key}.pub`, "utf8")).trim() };
}

export interface Sshd {
  readonly port: number;
  readonly hostKey: string;
  stop(): Promise<void>;
}

/**
 * A real OpenSSH server on 127.0.0.1 with its own host key and config (TESTBED.md):
 * root and the given users log in with the keys in `authorizedKeys` (one file per user).
 * `moreHostKeys` are further host keys (of other types) it offers; `config` more lines.
 */
export async function startSshd(
  dir: string,
  options: { authorizedKeys: Record<string, string>; hostKey?: string; moreHostKeys?: readonly string[]; port?: number; config?: readonly string[] },
): Promise<Sshd> {
  await mkdir(join(dir, "keys"), { recursive: true });
  await mkdir("/run/sshd", { recursive: true });
  const hostKey = options.hostKey ?? (await keyPair(dir, `host_${Date.now()}`)).key;
  for (const [user, keys] of Object.entries(options.authorizedKeys)) await writeFile(join(dir, "keys", user), `${keys}\n`, { mode: 0o644 });
  const port = options.port ?? (await freePort());
  const config = join(dir, `sshd_config_${port}`);
  await writeFile(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      ...(options.moreHostKeys ?? []).map((k) => `HostKey ${k}`),
      `AuthorizedKeysFile ${dir}/keys/%u`,
      `PidFile ${dir}/sshd_${port}.pid`,
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "MaxStartups 50",
      "MaxSessions 50",
      ...(options.config ?? []),
      "",
    ].join("\n"),
  );
  const proc: ResultPromise = execa("/usr/sbin/sshd", ["-D", "-e", "-f", config], { reject: false, stdin: "ignore" });
  // Ready once the port accepts connections.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    hostKey,
    async stop() {
      proc.kill("SIGTERM");
      await proc;
    },
  };
}

/** A loopback OpenSSH server that lets a fresh client key in as root, for one describe block. */
export function useRootSshd(work: () => string): { readonly sshd: () => Sshd; readonly client: () => { key: string; pub: string } } {
  let sshd: Sshd | undefined;
  let client: { key: string; pub: string } | undefined;
  beforeAll(async () => {
    client = await keyPair(work(), "client");
    sshd = await startSshd(join(work(), "sshd"), { authorizedKeys: { root: client.pub } });
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  return { sshd: () => sshd!, client: () => client! };
}

/**
 * An ssh:// target as root on a loopback {@link Sshd}, trusting its key on first contact
 * into its own known-hosts file (so a key one case rotates is not another case's), reading
 * no SSH config.
 */
export async function openLoopbackTarget(sshd: Sshd, clientKey: string, knownHostsFile: string, root: string): Promise<Target> {
  return (
    await createSshTarget("127.0.0.1", { user: "root", port: sshd.port, identityFiles: [clientKey], knownHostsFile, acceptNewHostKey: true, configFile: false, root })
  )._unsafeUnwrap();
}
