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

/**
 * A real ECDSA (P-256) key file that ssh2 reads but cannot sign with: its public key is
 * ssh-keygen's, its private scalar 200 bytes, too large for the curve (OpenSSL: "private
 * key too large"), as a damaged private key would be.
 */
export async function unsignableEcdsaKey(dir: string, name: string): Promise<{ key: string; pub: string }> {
  const key = join(dir, name);
  await execa("ssh-keygen", ["-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", name, "-f", `${key}.real`]);
  const pub = (await readFile(`${key}.real.pub`, "utf8")).trim();
  const blob = Buffer.from(pub.split(" ")[1]!, "base64");
  const string = (b: Uint8Array) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  // The public blob is string type, string curve, string point: the private part repeats them.
  const fields: Buffer[] = [];
  for (let p = 0; p < blob.length; p += 4 + blob.readUInt32BE(p)) fields.push(blob.subarray(p + 4, p + 4 + blob.readUInt32BE(p)));
  let secret = Buffer.concat([Buffer.from([1, 2, 3, 4, 1, 2, 3, 4]), ...fields.map(string), string(Buffer.alloc(200, 0x11)), string(Buffer.from(name))]);
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1))]);
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0"), string(Buffer.from("none")), string(Buffer.from("none")), string(Buffer.alloc(0)), Buffer.from([0, 0, 0, 1]), string(blob), string(secret)]);
  const lines = body.toString("base64").match(/.{1,70}/g)!.join("\n");
  await writeFile(key, `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
  return { key, pub };
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
