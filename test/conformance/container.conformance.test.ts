import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { enterRunningContainer, type Target } from "@nixos-via/core";
import { describeTargetConformance } from "@nixos-via/testing";
import { createDirTarget } from "@nixos-via/transport-local";
import { install, startContainer, stopContainer } from "nixos-via";
import { buildMiniSystem } from "../support/nix.js";
import { keyPair, openLoopbackTarget, startSshd, type Sshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

// The target inside a running container (commands through nsenter) carries every pipeline
// a machine does, so it passes the suite every target passes: on this machine and on a
// loopback SSH host's root. The container shares the host's network; it only has to run.
let work: string;
let root: string;
let sshd: Sshd;
let client: { key: string; pub: string };
let counter = 0;

beforeAll(async () => {
  work = await tempRoot("nixos-via-containers-conformance-");
  root = join(work, "web");
  await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
  client = await keyPair(work, "client");
  sshd = await startSshd(join(work, "sshd"), { authorizedKeys: { root: client.pub } });
  (await install({ target: `dir:${root}`, system: await buildMiniSystem({ generation: "1" }) }))._unsafeUnwrap();
  (await startContainer({ target: `dir:${root}` }))._unsafeUnwrap();
}, 120_000);
afterAll(async () => {
  await stopContainer({ target: `dir:${root}`, timeout: 2 });
  await sshd?.stop();
  await removeTree(work);
});

async function inside(host: Target): Promise<Target> {
  const target = (await enterRunningContainer(host))._unsafeUnwrap();
  if (target === undefined) throw new Error(`no container runs in ${root}`);
  return target;
}

describeTargetConformance({
  name: "a running container in dir:",
  capabilities: { root: true, remote: false, hostNix: false, running: true },
  open: async () => {
    // Its reconnect (a fresh entry, for magic rollback) is the ssh:// case's below; the
    // suite ties reconnect to remote targets, so here it checks everything else.
    const target = { ...(await inside((await createDirTarget(root))._unsafeUnwrap())), reconnect: undefined };
    return { target, release: async () => void (await target.close()) };
  },
});

describeTargetConformance({
  name: "a running container on an ssh:// host's root",
  capabilities: { root: true, remote: true, hostNix: false, running: true },
  open: async () => {
    const host = await openLoopbackTarget(sshd, client.key, join(work, `known_hosts-${counter++}`), root);
    const target = await inside(host);
    return { target, release: async () => void (await target.close()) };
  },
});
