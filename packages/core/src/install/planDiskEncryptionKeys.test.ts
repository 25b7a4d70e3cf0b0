import { spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ok, ResultAsync } from "neverthrow";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../errors/index.js";
import type { Layout } from "../layout/Layout.js";
import { planLayout } from "../layout/planLayout.js";
import { formatPlan } from "../pipeline/formatPlan.js";
import type { PipelineEvent } from "../pipeline/PipelineEvent.js";
import { runPlan } from "../pipeline/runPlan.js";
import type { RunStep } from "../pipeline/Step.js";
import type { Target } from "../target/Target.js";
import type { TargetFacts } from "../target/TargetFacts.js";
import { DISK_KEY_SCRIPT, planDiskEncryptionKeys, type DiskEncryptionKey } from "./planDiskEncryptionKeys.js";
import { planInstall } from "./planInstall.js";

const layout = JSON.parse(readFileSync(new URL("../../../../examples/layouts/luks-lvm.json", import.meta.url), "utf8")) as Layout;
const layoutPlan = planLayout(layout, { devices: { main: "/dev/vda" }, mountRoot: "/mnt" })._unsafeUnwrap();
const SECRET = "correct horse battery staple";
const key: DiskEncryptionKey = { remote: "/tmp/secret.key", source: "./secret.key", bytes: SECRET.length };
const TOPLEVEL = "/nix/store/2jimbaisz8l4zd94h196r78alhpc47pk-nixos-system-nixos-via-1";
const facts: TargetFacts = {
  machine: "x86_64",
  hasNixDb: false,
  registered: new Set([TOPLEVEL]),
  staged: new Set(),
  filesystems: new Set(["ext4", "vfat"]),
  kernelFeatures: new Set(["device-mapper", "dm-crypt"]),
  generations: [],
  currentGeneration: undefined,
  tools: new Set(layoutPlan.tools.concat(["tar", "unshare", "chroot", "mount"])),
};
const installPlan = (keys: readonly DiskEncryptionKey[]) =>
  planInstall({
    system: { toplevel: TOPLEVEL, system: "x86_64-linux", version: "1", nixStore: `${TOPLEVEL}/sw/bin/nix-store`, closure: { root: TOPLEVEL, paths: [] } },
    target: { uri: "ssh://root@rescue", root: "/mnt", capabilities: { root: true, remote: true, hostNix: false, running: false } },
    facts,
    layout: layoutPlan,
    extras: { diskEncryptionKeys: keys },
  });

describe("planDiskEncryptionKeys", () => {
  it("puts the key before the layout and removes it at the end and in the cleanup", () => {
    const plan = installPlan([key])._unsafeUnwrap();
    const first = plan.steps[0] as RunStep;
    expect(first.phase).toBe("keys");
    expect(first.secretStdin).toEqual({ name: "/tmp/secret.key", description: `${SECRET.length} bytes from ./secret.key` });
    expect(first.stdin).toBeUndefined();
    expect(plan.steps[1]?.phase).toBe("wipe");
    const luks = plan.steps.findIndex((s) => s.description.startsWith("encrypt"));
    expect(luks).toBeGreaterThan(0);
    const removal = plan.steps.findIndex((s) => s.description === "remove the disk encryption key /tmp/secret.key from the target");
    expect(removal).toBe(plan.steps.length - 1);
    expect(plan.steps.slice(luks, removal).some((s) => s.description === "close /dev/mapper/crypted")).toBe(true);
    expect(plan.cleanup.at(-1)).toEqual(plan.steps[removal]);
  });

  it("shows where the key goes and where it comes from, never its content", () => {
    const plan = installPlan([key])._unsafeUnwrap();
    const text = formatPlan(plan);
    expect(text).toContain(`$ nixos-via-keys put /tmp/secret.key key-1 ${SECRET.length} < ${SECRET.length} bytes from ./secret.key (secret, not shown)`);
    expect(text).toContain("$ nixos-via-keys remove /tmp/secret.key key-1");
    expect(text).not.toContain(SECRET);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
  });

  it("gives the runner's secret to the step's stdin and nowhere else", async () => {
    const plan = installPlan([key])._unsafeUnwrap();
    const stdins: unknown[] = [];
    const target: Target = {
      uri: "ssh://root@rescue",
      root: "/mnt",
      capabilities: { root: true, remote: true, hostNix: false, running: false },
      exec: (_argv, options = {}) => {
        stdins.push(options.stdin);
        return new ResultAsync(Promise.resolve(ok({ exitCode: 0, stdout: "", stderr: "" })));
      },
      close: () => new ResultAsync(Promise.resolve(ok(undefined))),
    };
    const events: PipelineEvent[] = [];
    const secret = new TextEncoder().encode(SECRET);
    const keysOnly = { ...plan, steps: plan.steps.filter((s) => s.phase === "keys" || s.description.startsWith("remove the disk")) };
    const summary = await runPlan(keysOnly, { target, secrets: new Map([[key.remote, secret]]), onEvent: (e) => events.push(e) });
    expect(summary.isOk()).toBe(true);
    expect(stdins[0]).toBe(secret);
    expect(stdins.slice(1).every((s) => s === undefined)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(SECRET);

    const missing = await runPlan(keysOnly, { target });
    expect(missing._unsafeUnwrapErr().message).toContain("the secret /tmp/secret.key was not given to the runner");
  });

  it.each([
    [{ ...key, remote: "tmp/secret.key" }, "as an absolute file path"],
    [{ ...key, remote: "/tmp/secret\n.key" }, "as an absolute file path"],
    [{ ...key, remote: "/mnt/secret.key" }, "is inside /mnt"],
    [{ ...key, remote: "/tmp/other.key" }, "no LUKS device of the layout reads /tmp/other.key (the layout reads /tmp/secret.key)"],
  ])("refuses %j", (bad, message) => {
    const error = installPlan([bad])._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(message);
  });

  it("refuses a key given twice, and keys for an install without LUKS", () => {
    expect(installPlan([key, key])._unsafeUnwrapErr().message).toContain("is given twice");
    const none = planDiskEncryptionKeys([key], { root: "/mnt", keyFiles: [] });
    expect(none._unsafeUnwrapErr().message).toContain("the layout reads no key files");
  });
});

// The script itself, under the shells targets have, in a mount namespace of its own with a
// private /run: it mounts its tmpfs there and nothing of it outlives the namespace.
const root = spawnSync("id", ["-u"], { encoding: "utf8" }).stdout.trim() === "0";
const work = mkdtempSync(join(tmpdir(), "disk-keys-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

for (const [label, shell] of [["dash", "dash"], ["busybox ash", "busybox sh"]] as const) {
  const usable = root && spawnSync("unshare", ["-m", "true"]).status === 0 && spawnSync(shell.split(" ")[0]!, ["--help"]).error === undefined;
  /** Runs `steps` (each `MODE ARGS…`, the first one fed `input`) in one namespace, then `check`. */
  const inNamespace = (input: string, steps: readonly string[], check: string) =>
    spawnSync(
      "unshare",
      ["-m", "--propagation", "private", "sh", "-c",
        `mount -t tmpfs none /run && ${steps.map((s, i) => `${shell} -c "$KEYS" nixos-via-keys ${s}${i === 0 ? "" : " </dev/null"}`).join(" && ")} && { ${check}; }`],
      { input, encoding: "utf8", env: { ...process.env, KEYS: DISK_KEY_SCRIPT } },
    );

  describe.skipIf(!usable)(`the key script under ${label}`, () => {
    it("keeps the key on a tmpfs with mode 0600, linked where the layout reads it, and removes both", () => {
      const remote = join(work, label.replace(" ", "-"), "sub", "secret.key");
      const put = inNamespace(SECRET, [`put ${remote} key-1 ${SECRET.length}`], `stat -c '%a %s' /run/nixos-via-keys/key-1; readlink ${remote}; cat ${remote}; grep -c ' /run/nixos-via-keys tmpfs ' /proc/mounts`);
      expect(put.stderr).toBe("");
      expect(put.stdout).toBe(`600 ${SECRET.length}\n/run/nixos-via-keys/key-1\n${SECRET}1\n`);
      const both = inNamespace(SECRET, [`put ${remote} key-1 ${SECRET.length}`, `remove ${remote} key-1`], `test ! -e ${remote} && test ! -L ${remote} && test ! -e /run/nixos-via-keys && ! grep -q nixos-via-keys /proc/mounts && echo gone`);
      expect(both.stdout).toBe("gone\n");
      expect(inNamespace("", ["remove /nowhere/secret.key key-1"], "echo clean").stdout).toBe("clean\n");
    });

    it("refuses a short key and a file of the user's at the path", () => {
      const short = inNamespace(SECRET.slice(0, 5), [`put ${join(work, "short.key")} key-1 ${SECRET.length}`], "true");
      expect(short.status).not.toBe(0);
      expect(short.stderr).toContain(`only 5 of ${SECRET.length} bytes of the key for`);
      const theirs = join(work, `theirs-${label.replace(" ", "-")}.key`);
      writeFileSync(theirs, "keep me");
      const refused = inNamespace(SECRET, [`put ${theirs} key-1 ${SECRET.length}`], "true");
      expect(refused.stderr).toContain(`${theirs} already exists on the target`);
      expect(lstatSync(theirs).isFile()).toBe(true);
      expect(readFileSync(theirs, "utf8")).toBe("keep me");
    });
  });
}
