import { mkdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { dynamic } from "@pulumi/pulumi";
import { createNixosHostProvider, type NixosHostOutputs } from "@nixos-via/pulumi";
import { deploy } from "nixos-via";
import { buildMiniSystem, closureOf } from "../support/nix.js";
import { freePort, keyPair, useRootSshd } from "../support/sshd.js";
import { removeTree, tempRoot, treeFingerprint } from "../support/tempRoot.js";

// The NixosHost provider without the Pulumi engine (not installable here): its methods are
// called as the engine calls them, on real targets — a dir: root, and a root reached over a
// real OpenSSH server on loopback (this host is no NixOS to switch, so the system lives in
// a folder there: `root`). The switch of a running system is in test/e2e/pulumi-ssh.test.ts.
describe("@nixos-via/pulumi: the NixosHost provider", () => {
  let work: string;
  let gen1: string;
  let gen2: string;
  let added: number;
  beforeAll(async () => {
    work = await tempRoot("nixos-via-pulumi-");
    [gen1, gen2] = await Promise.all([buildMiniSystem({ generation: "1" }), buildMiniSystem({ generation: "2" })]);
    const c1 = await closureOf(gen1);
    added = (await closureOf(gen2)).filter((p) => !c1.includes(p)).length;
  });
  afterAll(async () => {
    await removeTree(work);
  });

  /** A provider whose log lines the test reads. */
  function provider() {
    const lines: string[] = [];
    return { provider: createNixosHostProvider({ log: (l) => lines.push(l) }), lines };
  }

  describe("on a dir: root", () => {
    let root: string;
    let state: NixosHostOutputs;
    const { provider: p, lines } = provider();
    beforeAll(async () => {
      root = join(work, "dir-root");
      await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    });

    it("create installs into the empty root and reports what it runs", async () => {
      const created = await p.create({ target: `dir:${root}`, system: gen1 });
      expect(created.id).toBe(`dir:${root}`);
      state = created.outs!;
      expect(state).toMatchObject({ toplevel: gen1, generation: 1, lastOutcome: "installed" });
      expect(state.hostKey).toBeUndefined();
      expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-1-link");
    });

    it("diff reads the root and previews the deploy: paths and bytes to send, activation in the root; nothing touched", async () => {
      const before = await treeFingerprint(root);
      const diff = await p.diff(`dir:${root}`, state, { target: `dir:${root}`, system: gen2 });
      expect(diff).toEqual({ changes: true });
      const change = await p.preview({ target: `dir:${root}`, system: gen2 });
      expect(change).toMatchObject({ kind: "deploy", from: gen1, to: gen2, generation: 2, paths: added, activation: "activate", kernelChanges: false });
      expect(change.bytes).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatch(new RegExp(`runs ${gen1} → generation 2 ${gen2}: send ${added} store paths \\(.+\\), activate it inside the root$`));
      expect(await treeFingerprint(root)).toEqual(before);
      expect(await p.diff(`dir:${root}`, state, { target: `dir:${root}`, system: gen1 })).toEqual({ changes: false });
      expect(lines.at(-1)).toContain("already: nothing to do");
    });

    it("update deploys generation 2", async () => {
      const updated = await p.update(`dir:${root}`, state, { target: `dir:${root}`, system: gen2 });
      state = updated.outs!;
      expect(state).toMatchObject({ toplevel: gen2, generation: 2, lastOutcome: "activated" });
      expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-2-link");
    });

    it("a change made outside Pulumi shows in diff and read, and the next update undoes it", async () => {
      const outside = await deploy({ target: `dir:${root}`, system: gen1 });
      expect(outside.isOk() && outside.value.generation).toBe(3);
      expect(await p.diff(`dir:${root}`, state, { target: `dir:${root}`, system: gen2 })).toEqual({ changes: true });
      expect(lines.at(-1)).toContain(`runs ${gen1} → generation 4 ${gen2}: send 0 store paths`);
      const read = await p.read(`dir:${root}`, state);
      expect(read.props).toMatchObject({ toplevel: gen1, generation: 3 });
      state = (await p.update(`dir:${root}`, read.props!, { target: `dir:${root}`, system: gen2 })).outs!;
      expect(state).toMatchObject({ toplevel: gen2, generation: 4 });
    });

    it("delete leaves the root as it is and says so", async () => {
      const before = await treeFingerprint(root);
      await p.delete(`dir:${root}`, state);
      expect(await treeFingerprint(root)).toEqual(before);
      expect(lines.at(-1)).toBe(`dir:${root}: left as it is: deleting a NixosHost removes it from the stack only; the machine keeps running ${gen2} (generation 4)`);
    });

    it("check refuses inputs that name no machine, no system, a bad host key or an unknown install method, each by property", async () => {
      const r = await p.check({} as never, { target: "disk:/dev/sdz", system: "", hostKey: "not a key", install: { method: "pxe" as never } });
      expect(r.failures?.map((f) => f.property)).toEqual(["target", "system", "hostKey", "install.method"]);
      expect((await p.check({} as never, { target: `dir:${root}`, system: gen1 })).failures).toBeUndefined();
    });

    it("a failure is the SDK's error, thrown: code and one line", async () => {
      await expect(p.create({ target: `dir:${root}-missing`, system: join(work, "no-such-result") })).rejects.toMatchObject({ code: "INVALID_SYSTEM" });
    });
  });

  describe("over ssh:// (a root on a loopback OpenSSH server)", () => {
    const loopback = useRootSshd(() => work);
    let root: string;
    let uri: string;
    let state: NixosHostOutputs;
    const { provider: p } = provider();
    const inputs = () => ({ target: uri, root, system: gen1, ssh: { identityFiles: [loopback.client().key], configFile: false as const } });
    beforeAll(async () => {
      root = join(work, "ssh-root");
      await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
      uri = `ssh://root@127.0.0.1:${loopback.sshd().port}`;
    });

    it("create pins the host key on first contact, installs over SSH, and keeps the key in the state", async () => {
      const created = await p.create(inputs());
      expect(created.id).toBe(`${uri}#${root}`);
      state = created.outs!;
      const hostKey = (await readFile(`${loopback.sshd().hostKey}.pub`, "utf8")).split(" ").slice(0, 2).join(" ");
      expect(state).toMatchObject({ toplevel: gen1, generation: 1, lastOutcome: "installed", hostKey });
      expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-1-link");
    });

    it("diff and update go over SSH with the pinned key: the stored root gets generation 2", async () => {
      expect(await p.diff(state.target, state, { ...inputs(), system: gen2 })).toEqual({ changes: true });
      state = (await p.update(state.target, state, { ...inputs(), system: gen2 })).outs!;
      expect(state).toMatchObject({ toplevel: gen2, generation: 2, lastOutcome: "activated" });
      expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-2-link");
    });

    it("refuses a host whose key is not the pinned one, and a given hostKey it does not present", async () => {
      const impostor = (await keyPair(work, "impostor")).pub.split(" ").slice(0, 2).join(" ");
      await expect(p.diff(state.target, { ...state, hostKey: impostor }, { ...inputs(), system: gen2 })).rejects.toMatchObject({ code: "SSH_HOST_KEY_MISMATCH" });
      await expect(p.read(state.target, { ...state, hostKey: impostor })).rejects.toMatchObject({ code: "SSH_HOST_KEY_MISMATCH" });
      await expect(p.create({ ...inputs(), hostKey: impostor })).rejects.toMatchObject({ code: "SSH_HOST_KEY_MISMATCH" });
      expect(await readlink(join(root, "nix/var/nix/profiles/system"))).toBe("system-2-link");
    });

    it("check of a create previews it from the machine; one that cannot be read yet (still booting) is said so, not failed", async () => {
      const { provider: fresh, lines: said } = provider();
      const closed = `ssh://root@127.0.0.1:${await freePort()}`;
      expect((await fresh.check({} as never, { ...inputs(), target: closed })).failures).toBeUndefined();
      expect(said).toEqual([expect.stringMatching(new RegExp(`^${closed}: cannot read what it runs yet: .+`))]);
    });

    it("read refreshes what the root runs", async () => {
      const read = await p.read(state.target, state);
      expect(read).toEqual({ id: state.target, props: state });
    });
  });

  it("survives Pulumi's own serialization: a program on Pulumi's mocks declares a NixosHost, and the provider text it stores creates it", async () => {
    const root = join(work, "serialized-root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    const program = new URL("../support/pulumiMockProgram.mjs", import.meta.url).pathname;
    const run = await execa("node", [program, JSON.stringify({ target: `dir:${root}`, system: gen1 })], { reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { type: string; serializedBytes: number; check: dynamic.CheckResult; create: dynamic.CreateResult<NixosHostOutputs> };
    expect(out.type).toBe("pulumi-nodejs:dynamic/nixos-via:NixosHost");
    expect(out.check.failures).toBeUndefined();
    expect(out.create.outs).toMatchObject({ toplevel: gen1, generation: 1, lastOutcome: "installed" });
    // The methods capture nothing but the package's name: the SDK is loaded, not serialized.
    expect(out.serializedBytes).toBeLessThan(10_000);
  });
});
