import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { describeTargetConformance } from "@nixos-via/testing";
import { createDirTarget, createImageTarget } from "@nixos-via/transport-local";
import type { Target } from "@nixos-via/core";
import { keyPair, openLoopbackTarget, startSshd, type Sshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

let work: string;
let sshd: Sshd;
let client: { key: string; pub: string };
let counter = 0;

beforeAll(async () => {
  work = await tempRoot("nixos-via-conformance-");
  client = await keyPair(work, "client");
  sshd = await startSshd(join(work, "sshd"), { authorizedKeys: { root: client.pub } });
});
afterAll(async () => {
  await sshd?.stop();
  await removeTree(work);
});

describeTargetConformance({
  name: "dir:",
  capabilities: { remote: false, hostNix: true, running: false },
  open: async () => {
    const root = join(work, `dir-${counter++}`);
    await mkdir(root, { mode: 0o755 });
    const target = (await createDirTarget(root))._unsafeUnwrap();
    return { target, release: async () => void (await target.close()) };
  },
});

describeTargetConformance({
  name: "image:",
  capabilities: { remote: false, hostNix: true, running: false },
  open: async () => {
    const target = (await createImageTarget(join(work, `image-${counter++}.img`), { createSize: 64 * 1024 * 1024 }))._unsafeUnwrap();
    return { target, release: async () => void (await target.discard()) };
  },
});

/**
 * The loopback sshd comes back on its port with a fresh host key: the machine was
 * reinstalled. Its connection goes first, as in a reboot (a live session would also keep
 * the stopped server's output open).
 */
async function rotateHostKey(target: Target): Promise<string> {
  (await target.close())._unsafeUnwrap();
  const port = sshd.port;
  await sshd.stop();
  sshd = await startSshd(join(work, "sshd"), { authorizedKeys: { root: client.pub }, port });
  return (await readFile(`${sshd.hostKey}.pub`, "utf8")).trim().split(/\s+/)[1]!;
}

describeTargetConformance({
  name: "ssh://",
  capabilities: { root: true, remote: true, hostNix: false, running: false },
  open: async () => {
    // One file per target: a rotated host key recorded by one case is not another's.
    const target = await openLoopbackTarget(sshd, client.key, join(work, `known_hosts-${counter++}`), work);
    return { target, release: async () => void (await target.close()), rotateHostKey: () => rotateHostKey(target) };
  },
});
