import { existsSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { mkdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { shellQuote, waitForSystem } from "@nixos-via/core";
import { createSshTarget } from "@nixos-via/transport-ssh";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, nixosVia } from "../support/cli.js";
import { startCutProxy } from "../support/cutProxy.js";
import { buildMiniSystem, closureOf, nix, NIX_ENV } from "../support/nix.js";
import { keyPair, startSshd, unsignableEcdsaKey, type Sshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const cliBin = new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname;

// ssh:// against a real OpenSSH server on loopback: host keys, ~/.ssh/config, sudo, and a
// copy cut in the middle. "Installing" here goes into a directory (--root) on the same
// machine, reached over SSH, so every command crosses a real SSH connection.
describe("nixos-via over ssh://", () => {
  let work: string;
  let sshd: Sshd;
  let client: { key: string; pub: string };
  let gen1: string;
  const testUser = "nixosviatest";
  const sudoPassword = "correct horse battery staple";

  beforeAll(async () => {
    work = await tempRoot("nixos-via-ssh-");
    client = await keyPair(work, "client");
    gen1 = await buildMiniSystem({ generation: "1" });
    await execa("sh", ["-c", `id ${testUser} >/dev/null 2>&1 || useradd -m -s /bin/sh ${testUser}`]);
    await execa("chpasswd", { input: `${testUser}:${sudoPassword}\n` });
    // cat needs no password: the password must still never become its input.
    await writeFile(`/etc/sudoers.d/${testUser}`, `${testUser} ALL=(ALL:ALL) ALL\n${testUser} ALL=(root) NOPASSWD: /usr/bin/cat, /bin/cat\n`, { mode: 0o440 });
    sshd = await startSshd(join(work, "sshd"), { authorizedKeys: { root: client.pub, [testUser]: client.pub } });
  });

  afterAll(async () => {
    await sshd?.stop();
    await execa("rm", ["-f", `/etc/sudoers.d/${testUser}`]);
    await execa("userdel", ["-r", testUser], { reject: false });
    await removeTree(work);
  });

  const common = (knownHosts: string) => ["-i", client.key, "--known-hosts", knownHosts, "--no-ssh-config"];

  /** An ssh:// target as the test user, through the library; `asked` counts the password questions. */
  async function openAsTestUser(port: number, knownHosts: string) {
    let asked = 0;
    const opened = await createSshTarget("127.0.0.1", {
      user: testUser, port, identityFiles: [client.key], knownHostsFile: join(work, knownHosts), acceptNewHostKey: true, configFile: false,
      askSudoPassword: async () => {
        asked += 1;
        return sudoPassword;
      },
    });
    return { opened, asked: () => asked };
  }

  async function freshRoot(name: string): Promise<string> {
    const root = join(work, name);
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    return root;
  }

  it("refuses an unknown host key with its fingerprint, trusts it with --accept-new-host-key, refuses a changed one always", async () => {
    const knownHosts = join(work, "known_hosts_a");
    const root = await freshRoot("root-a");
    const uri = `ssh://root@127.0.0.1:${sshd.port}`;
    const fingerprint = (await execa("ssh-keygen", ["-l", "-f", `${sshd.hostKey}.pub`])).stdout.split(" ")[1]!;

    const unknown = await nixosVia(["install", uri, "--root", root, "--system", gen1, "--dry-run", ...common(knownHosts)]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr.split("\n")[0]).toContain(`presented an unknown host key ${fingerprint}`);
    expect(unknown.stderr).toContain("--accept-new-host-key");
    expect(existsSync(knownHosts)).toBe(false);

    const accepted = await nixosVia(["install", uri, "--root", root, "--system", gen1, "--dry-run", "--accept-new-host-key", ...common(knownHosts)]);
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(await readFile(knownHosts, "utf8")).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `);
    const again = await nixosVia(["install", uri, "--root", root, "--system", gen1, "--dry-run", ...common(knownHosts)]);
    expect(again.exitCode, again.stderr).toBe(0);

    // The same address now answers with another key.
    const impostor = await startSshd(join(work, "sshd-impostor"), { authorizedKeys: { root: client.pub } });
    try {
      const recorded = await readFile(knownHosts, "utf8");
      await writeFile(knownHosts, recorded.replaceAll(`[127.0.0.1]:${sshd.port}`, `[127.0.0.1]:${impostor.port}`));
      const changed = await nixosVia([
        "install", `ssh://root@127.0.0.1:${impostor.port}`, "--root", root, "--system", gen1, "--dry-run", "--accept-new-host-key", ...common(knownHosts),
      ]);
      expect(changed.exitCode).toBe(1);
      expect(changed.stderr.split("\n")[0]).toMatch(/differs from the key recorded in .*: refusing/);
      expect(await readFile(knownHosts, "utf8")).not.toContain(
        (await readFile(`${impostor.hostKey}.pub`, "utf8")).split(" ")[1]!,
      );
    } finally {
      await impostor.stop();
    }
  });

  it("follows Host aliases in the SSH config", async () => {
    const knownHosts = join(work, "known_hosts_b");
    const config = join(work, "ssh_config");
    await writeFile(config, `Host web-alias\n  HostName 127.0.0.1\n  User root\n  Port ${sshd.port}\n  IdentityFile ${client.key}\n`);
    const root = await freshRoot("root-b");
    const run = await nixosVia(["install", "ssh://web-alias", "--root", root, "--system", gen1, "--dry-run", "--accept-new-host-key", "--known-hosts", knownHosts, "--ssh-config", config]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`to ssh://web-alias as generation 1`);
  });

  it("hops through a ProxyJump host and logs in with ssh-agent", async () => {
    const jump = await startSshd(join(work, "sshd-jump"), { authorizedKeys: { root: client.pub } });
    const agentDir = join(work, "agent");
    await mkdir(agentDir);
    const sock = join(agentDir, "sock");
    // The agent daemonises holding its stdout: write it to a file, not a pipe we wait on.
    await execa("sh", ["-c", 'ssh-agent -a "$1" -s > "$2" 2>/dev/null', "sh", sock, join(agentDir, "env")]);
    const agentPid = /SSH_AGENT_PID=(\d+)/.exec(await readFile(join(agentDir, "env"), "utf8"))![1]!;
    try {
      await execa("ssh-add", [client.key], { env: { SSH_AUTH_SOCK: sock } });
      const knownHosts = join(work, "known_hosts_jump");
      const config = join(work, "ssh_config_jump");
      // No IdentityFile anywhere: the key comes from the agent, for both hops.
      await writeFile(config, `Host behind-jump\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  ProxyJump root@127.0.0.1:${jump.port}\n`);
      const root = await freshRoot("root-jump");
      const run = await nixosVia(
        ["install", "ssh://behind-jump", "--root", root, "--system", gen1, "--dry-run", "--accept-new-host-key", "--known-hosts", knownHosts, "--ssh-config", config],
        { SSH_AUTH_SOCK: sock, HOME: work },
      );
      expect(run.exitCode, run.stderr).toBe(0);
      const recorded = await readFile(knownHosts, "utf8");
      expect(recorded).toContain(`[127.0.0.1]:${jump.port} `);
      expect(recorded).toContain(`[127.0.0.1]:${sshd.port} `);
    } finally {
      await execa("kill", [agentPid], { reject: false });
      await jump.stop();
    }
  });

  it("installs through sudo as a user who needs a password, asking for it once", async () => {
    const knownHosts = join(work, "known_hosts_c");
    const root = await freshRoot("root-c");
    const run = await execa(
      "node",
      [new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname, "install", `ssh://${testUser}@127.0.0.1:${sshd.port}`,
        "--root", root, "--system", gen1, "--sudo-password-stdin", "--accept-new-host-key", ...common(knownHosts)],
      // One line of stdin: a second question would find no answer and fail the run.
      { input: `${sudoPassword}\n`, reject: false },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toContain(sudoPassword);
    expect(await readlink(join(root, "nix/var/nix/profiles/system-1-link"))).toBe(gen1);
    const valid = (await nix(["nix", "path-info", "--store", `local?root=${root}`, "-r", gen1])).split("\n").filter(Boolean).sort();
    expect(valid).toEqual(await closureOf(gen1));

    const wrong = await execa(
      "node",
      [new URL("../../packages/cli/bin/nixos-via.js", import.meta.url).pathname, "install", `ssh://${testUser}@127.0.0.1:${sshd.port}`,
        "--root", root, "--system", gen1, "--sudo-password-stdin", ...common(knownHosts)],
      { input: "not the password\n", reject: false },
    );
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr.split("\n")[0]).toContain(`refused the password for ${testUser}`);
  });

  it("after a reinstall with new keys of every type, waits for the expected key although known_hosts lists RSA first", async () => {
    const keys = join(work, "reinstall-keys");
    await mkdir(keys);
    const [oldRsa, oldEd, newRsa, newEd] = await Promise.all([
      keyPair(keys, "old_rsa", "rsa"), keyPair(keys, "old_ed25519"), keyPair(keys, "new_rsa", "rsa"), keyPair(keys, "new_ed25519"),
    ]);
    const before = await startSshd(join(work, "sshd-before"), { authorizedKeys: { root: client.pub }, hostKey: oldRsa.key, moreHostKeys: [oldEd.key] });
    const name = `[127.0.0.1]:${before.port}`;
    const knownHosts = join(work, "known_hosts_reinstall");
    // As `ssh-keyscan >> known_hosts` writes them: RSA first.
    await writeFile(knownHosts, [oldRsa, oldEd].map((k) => `${name} ${k.pub.split(" ").slice(0, 2).join(" ")}\n`).join(""));
    let after: Sshd | undefined;
    const target = (await createSshTarget("127.0.0.1", { user: "root", port: before.port, identityFiles: [client.key], knownHostsFile: knownHosts, configFile: false }))._unsafeUnwrap();
    try {
      const toplevel = (await target.exec(["readlink", "-f", "/run/current-system"]))._unsafeUnwrap().stdout.trim();
      // The reboot: the connection drops, then the old server goes.
      await target.close();
      await before.stop();
      after = await startSshd(join(work, "sshd-after"), { authorizedKeys: { root: client.pub }, hostKey: newRsa.key, moreHostKeys: [newEd.key], port: before.port });
      const up = await waitForSystem(target, { toplevel, hostKey: newEd.pub, intervalMs: 100, timeoutMs: 30_000 });
      expect(up.isOk(), up.isErr() ? up.error.message : "").toBe(true);
      const recorded = await readFile(knownHosts, "utf8");
      expect(recorded).toContain(`${name} ssh-ed25519 ${newEd.pub.split(" ")[1]!}`);
      expect(recorded).not.toContain(newRsa.pub.split(" ")[1]!);
    } finally {
      await target.close();
      await before.stop();
      await after?.stop();
    }
  });

  it("while a new key is expected, trusts no other new key, even with --accept-new-host-key", async () => {
    const keys = join(work, "third-key");
    await mkdir(keys);
    const [first, expected, third] = await Promise.all([keyPair(keys, "first"), keyPair(keys, "expected"), keyPair(keys, "third")]);
    const before = await startSshd(join(work, "sshd-third-before"), { authorizedKeys: { root: client.pub }, hostKey: first.key });
    const knownHosts = join(work, "known_hosts_third");
    let impostor: Sshd | undefined;
    const target = (
      await createSshTarget("127.0.0.1", { user: "root", port: before.port, identityFiles: [client.key], knownHostsFile: knownHosts, acceptNewHostKey: true, configFile: false })
    )._unsafeUnwrap();
    try {
      await target.close();
      await before.stop();
      // A known_hosts that knows nothing of the host (a fresh file, a new address): the
      // impostor's key is unknown, not changed, so only the expectation can refuse it.
      await writeFile(knownHosts, "");
      // Not the machine that was installed: it answers with a key nobody expected.
      impostor = await startSshd(join(work, "sshd-third-after"), { authorizedKeys: { root: client.pub }, hostKey: third.key, port: before.port });
      const r = await target.reconnect({ expectHostKey: expected.pub.split(" ")[1]!, timeoutMs: 10_000 });
      expect(r.isErr() && r.error.code).toBe("SSH_HOST_KEY_MISMATCH");
      expect(r.isErr() && r.error.message).toMatch(/which is not the new system's key read before the reboot: refusing/);
      expect(await readFile(knownHosts, "utf8")).not.toContain(third.pub.split(" ")[1]!);
    } finally {
      await target.close();
      await before.stop();
      await impostor?.stop();
    }
  });

  it("asks a host for the key type known_hosts records for it, as OpenSSH does", async () => {
    const keys = join(work, "recorded-type-keys");
    await mkdir(keys);
    const [rsa, ed] = await Promise.all([keyPair(keys, "rsa", "rsa"), keyPair(keys, "ed25519")]);
    const server = await startSshd(join(work, "sshd-recorded-type"), { authorizedKeys: { root: client.pub }, hostKey: ed.key, moreHostKeys: [rsa.key] });
    try {
      const knownHosts = join(work, "known_hosts_rsa_only");
      await writeFile(knownHosts, `[127.0.0.1]:${server.port} ${rsa.pub.split(" ").slice(0, 2).join(" ")}\n`);
      const target = await createSshTarget("127.0.0.1", { user: "root", port: server.port, identityFiles: [client.key], knownHostsFile: knownHosts, configFile: false });
      expect(target.isOk(), target.isErr() ? target.error.message : "").toBe(true);
      await target._unsafeUnwrap().close();
    } finally {
      await server.stop();
    }
  });

  it("says in one line that a malformed SSH config cannot be parsed", async () => {
    const config = join(work, "ssh_config_bad");
    await writeFile(config, 'Host web-alias\n  HostName "127.0.0.1\n');
    const root = await freshRoot("root-bad-config");
    const run = await nixosVia(["install", "ssh://web-alias", "--root", root, "--system", gen1, "--dry-run", "--ssh-config", config]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^nixos-via: error: cannot parse the SSH config ${config}: .*--ssh-config FILE$`));
  });

  it("says in one line that nothing listens on the port, and touches nothing", async () => {
    // The TCP connection is opened before ssh2 is loaded: a refusal that comes first must
    // still end the connect, as one line, not as a crash or a wait for the timeout.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const root = await freshRoot("root-refused");
    const knownHosts = join(work, "known_hosts_refused");
    const run = await nixosVia(["install", `ssh://root@127.0.0.1:${closed}`, "--root", root, "--system", gen1, "-i", client.key, "--known-hosts", knownHosts, "--ssh-config", "/dev/null"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`nixos-via: error: cannot connect to [127.0.0.1]:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`);
    expect(existsSync(join(root, "nix"))).toBe(false);
  });

  it("without a terminal to ask the sudo password on, says in one line to use --sudo-password-stdin", async () => {
    const knownHosts = join(work, "known_hosts_notty");
    const root = await freshRoot("root-notty");
    // setsid: no controlling terminal, as under cron or in CI.
    const run = await execa("setsid", ["-w", "node", cliBin, "install", `ssh://${testUser}@127.0.0.1:${sshd.port}`, "--root", root, "--system", gen1, "--dry-run",
      "--accept-new-host-key", ...common(knownHosts)], { reject: false, stdin: "ignore" });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^nixos-via: error: ${testUser}@127.0.0.1 needs a sudo password: there is no terminal .*--sudo-password-stdin.*\n?$`));
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("stops at Ctrl-C on the sudo password prompt, at once, and leaves the terminal echoing", async () => {
    const knownHosts = join(work, "known_hosts_ctrlc");
    const root = await freshRoot("root-ctrlc");
    const command = shellQuote(["node", cliBin, "install", `ssh://${testUser}@127.0.0.1:${sshd.port}`, "--root", root, "--system", gen1, "--dry-run",
      "--accept-new-host-key", ...common(knownHosts)]);
    // script(1) gives the run a terminal; what is written to its stdin is typed there.
    const child = execa("script", ["-qec", `${command}; echo "exit=$?"; stty -a`, "/dev/null"], { reject: false, timeout: 60_000 });
    let seen = "";
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        seen += d.toString();
        if (seen.includes("password on 127.0.0.1")) resolve();
      });
      void child.then(() => resolve());
    });
    const typedAt = Date.now();
    child.stdin.write("\u0003");
    const run = await child;
    expect(Date.now() - typedAt).toBeLessThan(10_000);
    const out = String(run.stdout);
    expect(out).toContain("exit=1");
    expect(out).toContain(`nixos-via: error: ${testUser}@127.0.0.1 needs a sudo password: stopped at the password prompt (Ctrl-C)`);
    expect(out).not.toMatch(/^\s+at /m);
    expect(out).toMatch(/(^|\s)echo(\s|$)/m);
    expect(out).toMatch(/(^|\s)icanon(\s|$)/m);
  });

  it("hands the sudo password only to sudo's prompt, never to a command's stdin or output, also where no password is needed", async () => {
    const { opened, asked } = await openAsTestUser(sshd.port, "known_hosts_sudo");
    const target = opened._unsafeUnwrap();
    try {
      const nopasswd = (await target.exec(["cat"], { stdin: "hello\n" }))._unsafeUnwrap();
      expect(nopasswd).toEqual({ exitCode: 0, stdout: "hello\n", stderr: "" });
      const streamed: Buffer[] = [];
      const script = (await target.exec(["sh", "-c", 'id -u; cat; echo "to stderr" >&2'], {
        stdin: (async function* () {
          yield new TextEncoder().encode("streamed ");
          yield new TextEncoder().encode("input\n");
        })(),
        onStderr: (d) => streamed.push(Buffer.from(d)),
      }))._unsafeUnwrap();
      expect(script).toEqual({ exitCode: 0, stdout: "0\nstreamed input\n", stderr: "to stderr\n" });
      expect(Buffer.concat(streamed).toString()).toBe("to stderr\n");
      const noInput = (await target.exec(["cat"]))._unsafeUnwrap();
      expect(noInput.stdout).toBe("");
      expect(asked()).toBe(1);
    } finally {
      await target.close();
    }
  });

  // Small text stdin travels inside the command line (no round trip after the exec), larger
  // text on the channel: either way the command reads exactly the text, and its exit code.
  it("gives a command its text stdin exactly, small (inside the command) or large (streamed)", async () => {
    const knownHosts = join(work, "known_hosts_stdin");
    const target = (await createSshTarget("127.0.0.1", { user: "root", port: sshd.port, identityFiles: [client.key], knownHostsFile: knownHosts, acceptNewHostKey: true, configFile: false }))._unsafeUnwrap();
    try {
      for (const text of ["it's \"quoted\" $HOME `x` %s\\n\n\nno newline at the end", `${"0123456789abcdef\n".repeat(5000)}`]) {
        const r = (await target.exec(["sh", "-c", "cat; exit 7"], { stdin: text }))._unsafeUnwrap();
        expect(r.exitCode).toBe(7);
        expect(r.stdout).toBe(text);
      }
    } finally {
      await target.close();
    }
  });

  // sshd hands the whole command to `sh -c` as one argument, at most 128 KiB on Linux: text
  // that fits alone but not with a long command goes on the channel, not inside the line.
  it("streams a stdin that would make the command too long for the target to exec", async () => {
    const knownHosts = join(work, "known_hosts_long");
    const target = (await createSshTarget("127.0.0.1", { user: "root", port: sshd.port, identityFiles: [client.key], knownHostsFile: knownHosts, acceptNewHostKey: true, configFile: false }))._unsafeUnwrap();
    try {
      const text = "0123456789abcdef\n".repeat(3800);
      const long = "y".repeat(70 * 1024);
      const r = (await target.exec(["sh", "-c", 'cat; test "${#1}" = 71680 && exit 7', "long", long], { stdin: text }))._unsafeUnwrap();
      expect(r.stdout).toBe(text);
      expect(r.exitCode).toBe(7);
    } finally {
      await target.close();
    }
  });

  // A key file is signed at once (one round trip); one that cannot sign must not end the login.
  it("logs in with the next key file when one cannot sign, refused or accepted by the server", async () => {
    const bad = await unsignableEcdsaKey(work, "unsignable");
    const both = await startSshd(join(work, "sshd-unsignable"), { authorizedKeys: { root: `${bad.pub}\n${client.pub}` } });
    try {
      for (const port of [sshd.port, both.port]) {
        const opened = await createSshTarget("127.0.0.1", { user: "root", port, identityFiles: [bad.key, client.key], knownHostsFile: join(work, `known_hosts_unsignable_${port}`), acceptNewHostKey: true, configFile: false, agent: "" });
        expect(opened.isOk(), opened.isErr() ? `${port === sshd.port ? "refused" : "accepted"}: ${opened.error.message}` : "").toBe(true);
        const target = opened._unsafeUnwrap();
        expect((await target.exec(["id", "-u"]))._unsafeUnwrap().stdout).toBe("0\n");
        await target.close();
      }
      // Alone, it fails the login in one line that says why.
      const alone = await createSshTarget("127.0.0.1", { user: "root", port: both.port, identityFiles: [bad.key], knownHostsFile: join(work, "known_hosts_unsignable_alone"), acceptNewHostKey: true, configFile: false, agent: "" });
      expect(alone.isErr() && alone.error.message).toMatch(/refused every key offered \(.*unsignable; one could not sign: .*private key too large\)/);
    } finally {
      await both.stop();
    }
  });

  // The login starts on the server's EXT_INFO, before it accepts the login service: an RSA
  // key needs the signature algorithms EXT_INFO names (this OpenSSH refuses SHA-1 ssh-rsa),
  // and a refused key must still lead to the next one.
  it("logs in with an RSA key file after a refused key, the login started on EXT_INFO", async () => {
    const keys = join(work, "rsa-login-keys");
    await mkdir(keys);
    const [refused, rsa] = await Promise.all([keyPair(keys, "refused"), keyPair(keys, "rsa", "rsa")]);
    const server = await startSshd(join(work, "sshd-rsa-login"), { authorizedKeys: { root: rsa.pub } });
    try {
      const opened = await createSshTarget("127.0.0.1", { user: "root", port: server.port, identityFiles: [refused.key, rsa.key], knownHostsFile: join(work, "known_hosts_rsa_login"), acceptNewHostKey: true, configFile: false, agent: "" });
      expect(opened.isOk(), opened.isErr() ? opened.error.message : "").toBe(true);
      const target = opened._unsafeUnwrap();
      expect((await target.exec(["id", "-u"]))._unsafeUnwrap().stdout).toBe("0\n");
      await target.close();
    } finally {
      await server.stop();
    }
  });

  it("does not ask for a sudo password where there is no sudo", async () => {
    // A PATH with id and sh but no sudo, as on a minimal rescue system.
    const bin = join(work, "no-sudo-bin");
    await mkdir(bin);
    await execa("ln", ["-s", "/usr/bin/id", "/usr/bin/sh", bin]);
    const server = await startSshd(join(work, "sshd-no-sudo"), { authorizedKeys: { [testUser]: client.pub }, config: [`SetEnv PATH=${bin}`] });
    try {
      const { opened, asked } = await openAsTestUser(server.port, "known_hosts_no_sudo");
      expect(opened.isErr()).toBe(true);
      expect(opened._unsafeUnwrapErr().code).toBe("SSH_SUDO");
      expect(opened._unsafeUnwrapErr().message).toBe(`${testUser}@127.0.0.1 is not root and has no sudo on its PATH; log in as root, or install sudo there`);
      expect(asked()).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it("finishes a copy cut in the middle on the next run, without sending the complete paths again", async () => {
    const knownHosts = join(work, "known_hosts_d");
    const root = await freshRoot("root-d");
    const closure = await closureOf(gen1);
    // Trust the key first, so both runs check it strictly.
    await nixosVia(["install", `ssh://root@127.0.0.1:${sshd.port}`, "--root", root, "--system", gen1, "--dry-run", "--accept-new-host-key", ...common(knownHosts)]);
    const proxy = await startCutProxy(sshd.port, Infinity);
    const known = await readFile(knownHosts, "utf8");
    await writeFile(knownHosts, `${known}${known.replaceAll(`[127.0.0.1]:${sshd.port}`, `[127.0.0.1]:${proxy.port}`)}`);
    const through = (into: string) => nixosVia(["install", `ssh://root@127.0.0.1:${proxy.port}`, "--root", into, "--system", gen1, "--json", ...common(knownHosts)]);
    try {
      // The same install into another fresh root measures the bytes of the whole run. The
      // next one is cut once 80 % of that went through: the end of the stream (and the
      // registration that follows it) cannot have arrived, and the first paths (here more
      // than half of the bytes) have. Cut at the proxy, not on a progress event: the sender
      // counts what it compressed, and on a loaded machine its next event may come only
      // after the target has registered everything.
      const measured = await through(await freshRoot("root-d-measure"));
      expect(measured.exitCode, measured.stderr).toBe(0);
      proxy.cutAfter(Math.floor(proxy.forwarded() * 0.8));
      const cut = await through(root);
      expect(proxy.cut()).toBe(true);
      expect(cut.exitCode, cut.stdout.split("\n").filter((l) => !l.includes("\"progress\"")).slice(-12).join("\n")).toBe(1);
      expect(existsSync(join(root, "nix/var/nix/db/db.sqlite"))).toBe(false);
    } finally {
      await proxy.stop();
    }
    const resumed = await nixosVia(["install", `ssh://root@127.0.0.1:${sshd.port}`, "--root", root, "--system", gen1, "--json", ...common(knownHosts)]);
    expect(resumed.exitCode, `${resumed.stderr}\n${resumed.stdout.split("\n").filter((l) => l.includes("\"output\"")).join("\n")}`).toBe(0);
    const plan = events(resumed.stdout).find((e) => e["type"] === "plan") as { plan: { copy: { paths: number; present: number; staged: number } } };
    // The cut came before registration: nothing is registered, what arrived complete is staged.
    expect(plan.plan.copy.present).toBe(0);
    expect(plan.plan.copy.staged).toBeGreaterThan(0);
    expect(plan.plan.copy.paths).toBe(closure.length - plan.plan.copy.staged);

    const valid = (await nix(["nix", "path-info", "--store", `local?root=${root}`, "-r", gen1])).split("\n").filter(Boolean).sort();
    expect(valid).toEqual(closure);
    const verify = await execa("nix-store", ["--store", `local?root=${root}`, "--verify", "--check-contents"], { env: NIX_ENV, reject: false });
    expect(verify.exitCode).toBe(0);
    expect(existsSync(join(root, "nix/store/.nixos-via-incoming"))).toBe(false);
    // Store folders are 0555 as in any Nix store: a cut tar must not leave its interim modes.
    const odd = await execa("find", [join(root, "nix/store"), "-mindepth", "1", "-path", "*/.links", "-prune", "-o", "-type", "d", "!", "-perm", "555", "-print"]);
    expect(odd.stdout).toBe("");
  });
});
