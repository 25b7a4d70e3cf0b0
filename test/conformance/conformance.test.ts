import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createDirTarget, createImageTarget } from "@nixos-via/transport-local";
import { createSshTarget } from "@nixos-via/transport-ssh";
import { keyPair, startSshd, type Sshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";
import { describeTargetConformance } from "./targetConformance.js";

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

describeTargetConformance("dir:", { remote: false }, async () => {
  const root = join(work, `dir-${counter++}`);
  await mkdir(root, { mode: 0o755 });
  const target = (await createDirTarget(root))._unsafeUnwrap();
  return { target, release: async () => void (await target.close()) };
});

describeTargetConformance("image:", { remote: false }, async () => {
  const target = (await createImageTarget(join(work, `image-${counter++}.img`), { createSize: 64 * 1024 * 1024 }))._unsafeUnwrap();
  return { target, release: async () => void (await target.discard()) };
});

describeTargetConformance("ssh://", { remote: true }, async () => {
  const target = (
    await createSshTarget("127.0.0.1", {
      user: "root",
      port: sshd.port,
      identityFiles: [client.key],
      knownHostsFile: join(work, "known_hosts"),
      acceptNewHostKey: true,
      configFile: false,
      root: work,
    })
  )._unsafeUnwrap();
  return { target, release: async () => void (await target.close()) };
});
