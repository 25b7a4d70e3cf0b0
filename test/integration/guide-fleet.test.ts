import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guideBlock, guideBlocks, guideShell, writeSshConfig, type GuideShell } from "../support/guide.js";
import { NIX_ENV } from "../support/nix.js";
import { keyPair, startSshd, type Sshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const GUIDE = "fleet.md";

// docs/guides/fleet.md's sh blocks, as written, in a shell whose HOME holds an
// ~/.ssh/config with the guide's hosts (10.0.1.1 … 10.0.1.8: aliases for 8 loopback
// OpenSSH servers) and whose folder holds the guide's network.nix (its shape and argument;
// test/fixtures/fleet/guide-network.nix says what differs: roots are folders). The
// guide's failure ("if it fails … the rollout halts") is a next release whose system does
// not activate on proxy-2.
describe("the fleet guide (docs/guides/fleet.md), on 8 loopback hosts", () => {
  let work: string;
  let shell: GuideShell;
  const sshds: Sshd[] = [];
  /** Runs guide commands in the network's folder, with the test bed's Nix settings. */
  const run = async (script: string) => {
    const r = await shell.run(`export NIX_CONFIG=${quote(NIX_ENV.NIX_CONFIG)}\ncd ${quote(join(work, "fleet"))}\n${script}`, {});
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  /** Each host's outcome in the summary on stdout. */
  const summary = (stdout: string) =>
    Object.fromEntries(stdout.split("\n").flatMap((l) => (/^proxy-\d+ +\S+/.test(l) ? [[l.split(/ +/)[0]!, l.split(/ +/)[1]!] as const] : [])));

  beforeAll(async () => {
    work = await tempRoot("nixos-via-guide-fleet-");
    const roots = join(work, "roots");
    for (let i = 1; i <= 8; i++) await mkdir(join(roots, `proxy-${i}`, "boot"), { recursive: true, mode: 0o755 });
    await mkdir(join(work, "fleet"));
    const fixture = await readFile(new URL("../fixtures/fleet/guide-network.nix", import.meta.url), "utf8");
    await writeFile(
      join(work, "fleet/network.nix"),
      fixture.replace("./systems.nix", new URL("../fixtures/fleet/systems.nix", import.meta.url).pathname).replace("@roots@", roots),
    );
    const client = await keyPair(work, "client");
    for (let i = 1; i <= 8; i++) sshds.push(await startSshd(join(work, `sshd-${i}`), { authorizedKeys: { root: client.pub } }));
    shell = await guideShell(work);
    await writeSshConfig(shell, Object.fromEntries(sshds.map((s, i) => [`10.0.1.${i + 1}`, { port: s.port, key: client.key }])));
    const known = await Promise.all(sshds.map(async (s) => `[127.0.0.1]:${s.port} ${(await readFile(`${s.hostKey}.pub`, "utf8")).split(" ").slice(0, 2).join(" ")}`));
    await writeFile(join(shell.home, ".ssh/known_hosts"), `${known.join("\n")}\n`);
  });
  afterAll(async () => {
    for (const s of sshds) await s.stop();
    await removeTree(work);
  });

  it("has the blocks this test runs, and no other", async () => {
    expect(await guideBlocks(GUIDE)).toHaveLength(5);
  });

  it("2. set-args, info and plan: four proxies to install", async () => {
    const r = await run(await guideBlock(GUIDE, /fleet info/));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nrProxyInstances/);
    for (let i = 1; i <= 4; i++) expect(r.stdout).toMatch(new RegExp(`^  proxy-${i} +install `, "m"));
    expect(r.stdout).not.toMatch(/proxy-5/);
  });

  it("3. roll out: four installs; then a release that fails on proxy-2 halts, --resume finishes, the retry fixes it", async () => {
    const block = await guideBlock(GUIDE, /--halt-after 1/);
    const installed = await run(block);
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(summary(installed.stdout)).toEqual({ "proxy-1": "confirmed", "proxy-2": "confirmed", "proxy-3": "confirmed", "proxy-4": "confirmed" });
    expect(installed.stderr).toMatch(/^wave 1 \(canary\): proxy-1$/m);

    // The next release, whose system does not activate on proxy-2: the failure the guide means.
    expect((await run("nixos-via fleet set-args --argstr generation 2 --argstr broken proxy-2")).exitCode).toBe(0);
    const halted = await run(block);
    expect(halted.exitCode).toBe(1);
    expect(summary(halted.stdout)).toEqual({ "proxy-1": "confirmed", "proxy-2": "failed", "proxy-3": "not-started", "proxy-4": "not-started" });
    expect(halted.stdout).toMatch(/^proxy-2 +failed +failed \(STEP_FAILED, rolled back\)/m);
    expect(halted.stdout).toMatch(/halted: /);

    const resumed = await run(await guideBlock(GUIDE, /--resume$/m));
    // proxy-2 failed: --resume lists it and does not retry it, so the run still exits 1.
    expect(resumed.exitCode, `${resumed.stdout}\n${resumed.stderr}`).toBe(1);
    expect(summary(resumed.stdout)).toEqual({ "proxy-1": "unchanged", "proxy-2": "not-started", "proxy-3": "confirmed", "proxy-4": "confirmed" });

    // Fixed: a deploy without --resume retries the failed host; the others are unchanged.
    expect((await run("nixos-via fleet set-args --unset broken")).exitCode).toBe(0);
    const retried = await run(await guideBlock(GUIDE, /^nixos-via fleet deploy$/m));
    expect(retried.exitCode, retried.stderr).toBe(0);
    expect(summary(retried.stdout)).toEqual({ "proxy-1": "unchanged", "proxy-2": "confirmed", "proxy-3": "unchanged", "proxy-4": "unchanged" });
  });

  it("4. change the fleet: eight proxies plan four installs; --unset goes back to the default", async () => {
    const r = await run(await guideBlock(GUIDE, /--unset nrProxyInstances/));
    expect(r.exitCode, r.stderr).toBe(0);
    for (let i = 1; i <= 4; i++) expect(r.stdout).toMatch(new RegExp(`^  proxy-${i} +unchanged`, "m"));
    for (let i = 5; i <= 8; i++) expect(r.stdout).toMatch(new RegExp(`^  proxy-${i} +install `, "m"));
    const info = await run("nixos-via fleet info --json");
    expect((JSON.parse(info.stdout) as { hosts: { host: string }[] }).hosts.map((h) => h.host)).toEqual(["proxy-1", "proxy-2"]);
  });
});

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
