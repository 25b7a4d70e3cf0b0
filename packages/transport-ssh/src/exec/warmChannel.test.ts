import { createHash, randomBytes } from "node:crypto";
import { readFile, symlink, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Client } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyPair, startSshd, type Sshd } from "../../../../test/support/sshd.js";
import { removeTree, tempRoot } from "../../../../test/support/tempRoot.js";
import { channelExec } from "./channelExec.js";
import { hasWarmChannel, WARM_RUNNER } from "./warmChannel.js";

/** A logged-in ssh2 client whose exec requests are recorded, in order. */
async function login(sshd: Sshd, key: string): Promise<{ client: Client; requested: string[] }> {
  const client = new Client();
  const requested: string[] = [];
  const exec = client.exec.bind(client) as (command: string, callback: unknown) => Client;
  (client as unknown as { exec: (command: string, callback: unknown) => Client }).exec = (command, callback) => {
    requested.push(command === WARM_RUNNER ? "(warm)" : command);
    return exec(command, callback);
  };
  const privateKey = await readFile(key);
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve()).once("error", reject);
    client.connect({ host: "127.0.0.1", port: sshd.port, username: "root", privateKey });
  });
  return { client, requested };
}

async function untilWarm(client: Client): Promise<void> {
  for (let i = 0; i < 250 && !hasWarmChannel(client); i++) await new Promise((r) => setTimeout(r, 20));
}

// Against real OpenSSH: the shell that waits, the exact read of the command, and the
// command's own stdin, stdout, stderr and exit code behind it.
describe("commands on a channel opened ahead", () => {
  let work: string;
  let key: string;
  let sshd: Sshd;
  let busyboxSshd: Sshd;

  beforeAll(async () => {
    work = await tempRoot("nixos-via-warm-");
    const client = await keyPair(work, "client");
    key = client.key;
    sshd = await startSshd(join(work, "sshd"), { authorizedKeys: { root: client.pub } });
    // A rescue system whose head is busybox's, which reads past what it prints.
    const bin = join(work, "busybox-bin");
    await mkdir(bin);
    for (const tool of ["head", "grep", "sh", "cat", "sha256sum"]) await symlink("/usr/bin/busybox", join(bin, tool));
    busyboxSshd = await startSshd(join(work, "sshd-busybox"), { authorizedKeys: { root: client.pub }, config: [`SetEnv PATH=${bin}`] });
  });

  afterAll(async () => {
    await sshd?.stop();
    await busyboxSshd?.stop();
    await removeTree(work);
  });

  it("runs the next command on the waiting channel, with its stdin, output, stderr and exit code exact", async () => {
    const { client, requested } = await login(sshd, key);
    try {
      const first = (await channelExec(client, "echo first"))._unsafeUnwrap();
      expect(first).toEqual({ exitCode: 0, stdout: "first\n", stderr: "" });
      await untilWarm(client);
      expect(hasWarmChannel(client)).toBe(true);
      // 3 MiB streamed after the command: not one byte of it may go to reading the command.
      const data = randomBytes(3 * 1024 * 1024);
      const command = `sh -c 'sha256sum | cut -d " " -f 1; printf "%s\\n" "it'"'"'s" "two words" >&2; exit 5'`;
      const second = (await channelExec(client, command, { stdin: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) }))._unsafeUnwrap();
      expect(second).toEqual({ exitCode: 5, stdout: `${createHash("sha256").update(data).digest("hex")}\n`, stderr: "it's\ntwo words\n" });
      // The second command asked for no channel of its own; the next one waits already.
      expect(requested).toEqual(["echo first", "(warm)", "(warm)"]);
      await untilWarm(client);
      const third = (await channelExec(client, "kill -TERM $$"))._unsafeUnwrap();
      expect(third.exitCode).toBe(128 + 15);
      expect(requested).toEqual(["echo first", "(warm)", "(warm)", "(warm)"]);
    } finally {
      client.end();
    }
  });

  it("where head would read past the command, runs every command on a channel of its own", async () => {
    const { client, requested } = await login(busyboxSshd, key);
    try {
      expect((await channelExec(client, "echo first"))._unsafeUnwrap().stdout).toBe("first\n");
      // The warm shell leaves without a word; give it the time to.
      for (let i = 0; i < 250 && requested.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      const text = "0123456789abcdef\n".repeat(4000);
      const second = (await channelExec(client, "cat", { stdin: text }))._unsafeUnwrap();
      expect(second.stdout).toBe(text);
      expect((await channelExec(client, "echo third"))._unsafeUnwrap().stdout).toBe("third\n");
      expect(requested).toEqual(["echo first", "(warm)", "cat", "echo third"]);
    } finally {
      client.end();
    }
  });
});
