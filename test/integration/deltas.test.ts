import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { buildMiniSystem, closureOf, NIX_ENV } from "../support/nix.js";
import { startCutProxy } from "../support/cutProxy.js";
import { useRootSshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

// Upgrades as deltas, on real dir: and loopback ssh:// targets: the example system, then
// the same system after a mass rebuild (every path under a new hash; most files the same,
// the scripts that name store paths changed). Nix must find the result exact.
describe("deltas against the predecessor on the target", () => {
  let work: string;
  let gen1: string;
  let rebuilt: string;
  beforeAll(async () => {
    work = await tempRoot("nixos-via-deltas-");
    [gen1, rebuilt] = await Promise.all([buildMiniSystem({ generation: "1" }), buildMiniSystem({ generation: "1", rebuild: "1" })]);
  });
  const ssh = useRootSshd(() => work);
  afterAll(async () => {
    await removeTree(work);
  });

  async function freshRoot(name: string): Promise<string> {
    const root = join(work, name);
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    return root;
  }

  /** Nix's own judgement of the target, and the copied paths byte for byte against this machine's. */
  async function expectExact(root: string, toplevel: string): Promise<void> {
    const store = `local?root=${root}`;
    const verify = await execa("nix-store", ["--store", store, "--verify", "--check-contents"], { env: NIX_ENV, reject: false });
    expect(verify.exitCode, verify.stderr).toBe(0);
    expect(verify.stderr).not.toMatch(/modified|corrupt|invalid|error/i);
    for (const p of await closureOf(toplevel)) {
      const diff = await execa("diff", ["-r", "--no-dereference", p, join(root, p)], { reject: false });
      expect(diff.exitCode, `${p}: ${diff.stdout}`).toBe(0);
    }
  }

  const copyEvents = (stdout: string) => {
    const evs = events(stdout);
    const plan = evs.find((e) => e["type"] === "plan") as { plan: { copy: { paths: number; deltas?: number }; steps: { kind: string; deltas?: unknown[] }[] } };
    const done = evs.find((e) => e["type"] === "done") as { ok: boolean; copiedBytes: number };
    return { plan: plan.plan, done };
  };

  it("dir: with --delta: rebuilds every changed path from its predecessor, exactly", async () => {
    const root = await freshRoot("dir");
    const first = await nixosVia(["install", `dir:${root}`, "--system", gen1]);
    expect(first.exitCode, first.stderr).toBe(0);
    const differing = (await closureOf(rebuilt)).filter((p) => !existsSync(join(root, p)));

    const dry = await nixosVia(["deploy", `dir:${root}`, "--system", rebuilt, "--delta", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`deltas: ${differing.length} of them against their predecessors on the target`);
    const off = await nixosVia(["deploy", `dir:${root}`, "--system", rebuilt, "--dry-run"]);
    expect(off.stdout).not.toContain("deltas:");

    const run = await nixosVia(["deploy", `dir:${root}`, "--system", rebuilt, "--delta", "--json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const { plan, done } = copyEvents(run.stdout);
    expect(plan.copy.deltas).toBe(differing.length);
    expect(done.ok).toBe(true);
    await expectExact(root, rebuilt);
  });

  it("ssh://: deltas by default, a fraction of the full copy's bytes, exactly; --no-delta sends in full", async () => {
    const knownHosts = join(work, "known_hosts");
    const uri = `ssh://root@127.0.0.1:${ssh.sshd().port}`;
    const common = ["-i", ssh.client().key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null", "--accept-new-host-key", "--json"];
    const root = await freshRoot("ssh");
    const first = await nixosVia(["install", uri, "--root", root, "--system", gen1, ...common]);
    expect(first.exitCode, first.stderr).toBe(0);
    const full = copyEvents(first.stdout).done.copiedBytes;

    const dryFull = await nixosVia(["install", uri, "--root", root, "--system", rebuilt, "--no-delta", "--dry-run", ...common.slice(0, -1)]);
    expect(dryFull.exitCode, dryFull.stderr).toBe(0);
    expect(dryFull.stdout).not.toContain("deltas:");

    const second = await nixosVia(["install", uri, "--root", root, "--system", rebuilt, ...common]);
    expect(second.exitCode, second.stderr).toBe(0);
    const { plan, done } = copyEvents(second.stdout);
    expect(plan.copy.deltas).toBe(plan.copy.paths);
    expect(plan.steps.filter((s) => s.kind === "copy-closure").map((s) => s.deltas !== undefined)).toEqual([true]);
    // The initrd (compressed, changed) goes in full; everything else is links and deltas.
    expect(done.copiedBytes).toBeLessThan(full / 4);
    await expectExact(root, rebuilt);
  });

  // A rebuild that also adds a package (the disk tools, a name the target has never held):
  // one plan sends most paths as deltas and that package in full, and both must be exact.
  it("ssh://: an upgrade that adds a package sends it in full and the rest as deltas, exactly", async () => {
    const grown = await buildMiniSystem({ generation: "1", rebuild: "1", diskTools: "1" });
    const knownHosts = join(work, "known_hosts_mixed");
    const root = await freshRoot("ssh-mixed");
    const common = ["-i", ssh.client().key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null", "--accept-new-host-key", "--json"];
    const uri = `ssh://root@127.0.0.1:${ssh.sshd().port}`;
    expect((await nixosVia(["install", uri, "--root", root, "--system", gen1, ...common])).exitCode).toBe(0);
    const added = (await closureOf(grown)).filter((p) => p.endsWith("-disk-tools-host"));
    expect(added).toHaveLength(1);
    const run = await nixosVia(["install", uri, "--root", root, "--system", grown, ...common]);
    expect(run.exitCode, run.stderr).toBe(0);
    const { plan, done } = copyEvents(run.stdout);
    expect(done.ok).toBe(true);
    expect(plan.copy.deltas).toBeGreaterThan(0);
    expect(plan.copy.deltas).toBeLessThan(plan.copy.paths);
    // Two streams: the deltas first (staged), then the full paths (their receiver promotes the staged ones too).
    expect(plan.steps.filter((s) => s.kind === "copy-closure").map((s) => s.deltas !== undefined)).toEqual([true, false]);
    await expectExact(root, grown);
  });

  it("ssh://: a delta copy cut in the middle finishes on the rerun, exactly", async () => {
    const knownHosts = join(work, "known_hosts_cut");
    const root = await freshRoot("ssh-cut");
    const common = ["-i", ssh.client().key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null", "--accept-new-host-key", "--json"];
    const first = await nixosVia(["install", `ssh://root@127.0.0.1:${ssh.sshd().port}`, "--root", root, "--system", gen1, ...common]);
    expect(first.exitCode, first.stderr).toBe(0);
    // The delta stream is a few MiB (the changed initrd goes in full): cut 1 MiB into it.
    const proxy = await startCutProxy(ssh.sshd().port, 1 << 20);
    const known = await readFile(knownHosts, "utf8");
    await writeFile(knownHosts, `${known}${known.replaceAll(`[127.0.0.1]:${ssh.sshd().port}`, `[127.0.0.1]:${proxy.port}`)}`);
    try {
      const cut = await nixosVia(["install", `ssh://root@127.0.0.1:${proxy.port}`, "--root", root, "--system", rebuilt, ...common]);
      expect(proxy.cut()).toBe(true);
      expect(cut.exitCode).toBe(1);
      expect(existsSync(join(root, rebuilt))).toBe(false);
    } finally {
      await proxy.stop();
    }
    const resumed = await nixosVia(["install", `ssh://root@127.0.0.1:${ssh.sshd().port}`, "--root", root, "--system", rebuilt, ...common]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(copyEvents(resumed.stdout).plan.copy.deltas).toBeGreaterThan(0);
    await expectExact(root, rebuilt);
  });

  it("a path that does not rebuild to the sender's bytes is never made visible or registered", async () => {
    const root = await freshRoot("corrupt");
    expect((await nixosVia(["install", `dir:${root}`, "--system", gen1])).exitCode).toBe(0);
    // The predecessor's copy on the target no longer matches this machine's: the delta
    // against it rebuilds wrong bytes (same size, so only the hashes can tell).
    const victim = join(root, gen1, "bin/install-bootloader");
    const bytes = await readFile(victim);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
    await chmod(victim, 0o755);
    await writeFile(victim, bytes);
    const run = await nixosVia(["deploy", `dir:${root}`, "--system", rebuilt, "--delta"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${rebuilt.slice("/nix/store/".length)} did not rebuild to the sender's bytes`);
    expect(existsSync(join(root, rebuilt))).toBe(false);
    const registered = await execa("nix-store", ["--store", `local?root=${root}`, "--check-validity", rebuilt], { env: NIX_ENV, reject: false });
    expect(registered.exitCode).not.toBe(0);
    // Sent in full, the same path arrives whole.
    const again = await nixosVia(["deploy", `dir:${root}`, "--system", rebuilt, "--no-delta"]);
    expect(again.exitCode, again.stderr).toBe(0);
    for (const p of (await closureOf(rebuilt)).filter((p) => !p.startsWith(gen1))) {
      const diff = await execa("diff", ["-r", "--no-dereference", p, join(root, p)], { reject: false });
      expect(diff.exitCode, `${p}: ${diff.stdout}`).toBe(0);
    }
  });
});
