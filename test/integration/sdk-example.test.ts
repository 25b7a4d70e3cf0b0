import { mkdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upgradeAndRollBack } from "../../examples/sdk/upgradeAndRollBack.js";
import { buildMiniSystem } from "../support/nix.js";
import { useRootSshd } from "../support/sshd.js";
import { removeTree, tempRoot, treeFingerprint } from "../support/tempRoot.js";
import { previewInstall, previewRollback } from "nixos-via";

// examples/sdk runs as a user's program would: the SDK only, on real Nix and OpenSSH.
describe("examples/sdk: install, deploy, generations, rollback through the SDK", () => {
  let work: string;
  let gen1: string;
  let gen2: string;
  beforeAll(async () => {
    work = await tempRoot("nixos-via-sdk-");
    gen1 = await buildMiniSystem({ generation: "1" });
    gen2 = await buildMiniSystem({ generation: "2" });
  });
  afterAll(async () => {
    await removeTree(work);
  });

  it("is the program docs/guides/sdk.md shows, as it is", async () => {
    const guide = await readFile(new URL("../../docs/guides/sdk.md", import.meta.url), "utf8");
    const shown = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
    expect(shown).toEqual([await readFile(new URL("../../examples/sdk/upgradeAndRollBack.ts", import.meta.url), "utf8")]);
  });

  it("on a dir: root", async () => {
    const root = join(work, "dir-root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    const lines: string[] = [];
    const report = await upgradeAndRollBack({ installTarget: `dir:${root}`, systemTarget: `dir:${root}`, generation1: gen1, generation2: gen2, log: (l) => lines.push(l) });
    expect(report).toEqual({ installed: 1, deployed: 2, generations: [1, 2], rolledBackTo: 1 });
    expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-1-link");
    // The deploy sends only what generation 2 adds.
    expect(lines.filter((l) => l.startsWith("copy: ")).map((l) => Number(/copy (\d+) store paths/.exec(l)?.[1]))).toEqual([17, 3]);
  });

  it("previews each operation's whole plan without touching the root", async () => {
    const root = join(work, "preview-root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    const before = await treeFingerprint(root);
    const plan = await previewInstall({ target: `dir:${root}`, system: gen1 });
    expect(plan.isOk() && plan.value.steps.map((s) => s.phase)).toEqual(["copy", "register", "profile", "activate"]);
    expect(await treeFingerprint(root)).toEqual(before);
    // On an empty root there is nothing to deploy onto: an error, not a guess.
    const none = await previewRollback({ target: `dir:${root}` });
    expect(none.isErr() && none.error.message).toMatch(/has no current system generation/);
  });

  describe("over ssh://", () => {
    const loopback = useRootSshd(() => work);

    it("into a root over SSH, then on it as a stored root", async () => {
      // The loopback host is no NixOS to switch: the story installs into a root over SSH and
      // goes on on that root as dir:, which is the same machine.
      const root = join(work, "ssh-root");
      await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
      const connection = { identityFiles: [loopback.client().key], knownHostsFile: join(work, "known_hosts"), acceptNewHostKey: true, configFile: false as const };
      const report = await upgradeAndRollBack({
        installTarget: `ssh://root@127.0.0.1:${loopback.sshd().port}`,
        root,
        systemTarget: `dir:${root}`,
        generation1: gen1,
        generation2: gen2,
        connection,
      });
      expect(report).toEqual({ installed: 1, deployed: 2, generations: [1, 2], rolledBackTo: 1 });
    });
  });
});
