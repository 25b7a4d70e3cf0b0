import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa, type Result } from "execa";

const repo = new URL("../../", import.meta.url).pathname;

/** The ```sh blocks of a guide in docs/guides/, in order, as written. */
export async function guideBlocks(name: string): Promise<string[]> {
  const text = await readFile(join(repo, "docs/guides", name), "utf8");
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** The one block of a guide that matches `pattern`; throws when none or several do, so a test cannot silently run the wrong one. */
export async function guideBlock(name: string, pattern: RegExp): Promise<string> {
  const found = (await guideBlocks(name)).filter((b) => pattern.test(b));
  if (found.length !== 1) throw new Error(`${name}: ${found.length} sh blocks match ${pattern}, expected exactly one`);
  return found[0]!;
}

/**
 * The shell variables a guide's settings block assigns (`name=value  # comment` lines),
 * so a test can check that it sets every one the guide asks the reader to set.
 */
export function assignedVariables(block: string): string[] {
  return [...block.matchAll(/^([a-z_][a-z0-9_]*)=/gm)].map((m) => m[1]!);
}

/** Where a guide's commands run: `nixos-via` on PATH is this checkout's built CLI, `ssh` reads HOME's `.ssh`, HOME is a folder of the test's. */
export interface GuideShell {
  readonly home: string;
  /** Runs `script` in bash with `set -eu`, after the test's own values for the guide's variables. */
  run(script: string, values: Readonly<Record<string, string>>): Promise<Result>;
}

/**
 * A shell for a guide's commands, as a reader would type them. HOME is `work/home`, so an
 * `~/.ssh/config` (an alias, its port and key) and `~/.ssh/known_hosts` written by the test
 * reach nixos-via exactly as the reader's own would, and the commands stay as written.
 */
export async function guideShell(work: string): Promise<GuideShell> {
  const home = join(work, "home");
  const bin = join(work, "guide-bin");
  await mkdir(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  await mkdir(bin, { recursive: true });
  await symlink(join(repo, "packages/cli/bin/nixos-via.js"), join(bin, "nixos-via"));
  // OpenSSH takes its home from the password database, not HOME: point it at the test's files.
  await writeFile(
    join(bin, "ssh"),
    `#!/bin/sh\nexec /usr/bin/ssh -F "$HOME/.ssh/config" -o UserKnownHostsFile="$HOME/.ssh/known_hosts" -o BatchMode=yes "$@"\n`,
    { mode: 0o755 },
  );
  return {
    home,
    run: (script, values) => {
      const assignments = Object.entries(values).map(([k, v]) => `${k}=${quote(v)}`).join("\n");
      return execa("bash", ["-c", `set -eu\n${assignments}\n${script}`], {
        cwd: repo,
        env: { HOME: home, PATH: `${bin}:${process.env["PATH"] ?? "/usr/bin:/bin"}` },
        reject: false,
        stdin: "ignore",
      });
    },
  };
}

/** Writes `~/.ssh/config` in the guide shell's HOME: one `Host` block per alias. */
export async function writeSshConfig(shell: GuideShell, hosts: Readonly<Record<string, { readonly port: number; readonly key: string }>>): Promise<void> {
  const text = Object.entries(hosts)
    .map(([alias, h]) => `Host ${alias}\n  HostName 127.0.0.1\n  Port ${h.port}\n  User root\n  IdentityFile ${h.key}\n`)
    .join("\n");
  await writeFile(join(shell.home, ".ssh/config"), text, { mode: 0o600 });
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
