import { copyFile, cp, mkdir, readFile, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guideBlock, guideShell } from "../support/guide.js";
import { NIX_ENV, buildMiniSystem, closureOf } from "../support/nix.js";
import { declaredInputs, startDynamicProviderHost, type DynamicProviderHost, type Props } from "../support/pulumiEngine.js";
import { useRootSshd } from "../support/sshd.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

const repo = new URL("../../", import.meta.url).pathname;
const GUIDE = "pulumi.md";

// docs/guides/pulumi.md, run as far as it runs without the Pulumi engine (its `pulumi`
// binary is not installable here, so `pulumi config set`, `pulumi preview` and `pulumi up`
// do not run as written):
// - its TypeScript is examples/pulumi/index.ts's, type-checked as a program against the
//   built packages, as a user's project sees them;
// - its step 1 runs as written in a scratch project (a flake whose `web` is the test flake's
//   toplevel, a disks.json);
// - its steps 2 and 3 are the engine's calls, made as the engine makes them: a program on
//   Pulumi's mocks declares the NixosHost (Pulumi serializes its provider into `__provider`),
//   and Pulumi's own dynamic-provider host (what the engine runs as
//   pulumi-resource-pulumi-nodejs) takes Configure, then the RPCs of `pulumi preview` (Check),
//   `pulumi up` (Check, Create), `pulumi refresh` (Read), a second preview (Check, Diff), a
//   second up (Update) and `pulumi destroy` (Delete), with Pulumi's protobuf serialization
//   of every input and output — on a dir: root and on a root over a loopback ssh:// host.
//   The preview lines are read where the engine reads them: the host's stderr, which the
//   engine shows as info diagnostics (pulumi/pulumi pkg/resource/plugin/plugin.go).
describe("docs/guides/pulumi.md", () => {
  let work: string;
  let gen1: string;
  let gen2: string;
  let added: number;
  beforeAll(async () => {
    work = await tempRoot("nixos-via-pulumi-guide-");
    [gen1, gen2] = await Promise.all([buildMiniSystem({ generation: "1" }), buildMiniSystem({ generation: "2" })]);
    const c1 = await closureOf(gen1);
    added = (await closureOf(gen2)).filter((p) => !c1.includes(p)).length;
  });
  afterAll(async () => {
    await removeTree(work);
  });
  const loopback = useRootSshd(() => work);

  it("its TypeScript is the example program's, which type-checks against the built packages", async () => {
    const guide = await readFile(join(repo, "docs/guides", GUIDE), "utf8");
    const program = await readFile(join(repo, "examples/pulumi/index.ts"), "utf8");
    const shown = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
    expect(shown).toHaveLength(1);
    expect(program).toContain(shown[0]);
    // As a user's project compiles it: the packages' published types (dist), strict.
    const tsc = await execa(
      join(repo, "node_modules/.bin/tsc"),
      ["--noEmit", "--strict", "--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "examples/pulumi/index.ts"],
      { cwd: repo, reject: false },
    );
    expect(tsc.exitCode, tsc.stdout).toBe(0);
  }, 120_000);

  it("step 1 runs as written (the flake builds into ./result, the layout names the fileSystems), and step 2's flake system is that toplevel", async () => {
    const project = join(work, "project");
    await cp(join(repo, "test/fixtures/flake"), project, { recursive: true });
    await mkdir(join(project, "bbdir"));
    await copyFile("/usr/bin/busybox", join(project, "bbdir/busybox"));
    const flake = await readFile(join(project, "flake.nix"), "utf8");
    await writeFile(join(project, "flake.nix"), flake.replaceAll("nixosConfigurations.mini", "nixosConfigurations.web"));
    await copyFile(join(repo, "examples/layouts/uefi-ext4.json"), join(project, "disks.json"));
    const shell = await guideShell(work);
    const block = await guideBlock(GUIDE, /^nix build /m);
    const run = await shell.run(`export NIX_CONFIG="$nix_config"\ncd "$project"\n${block}`, { project, nix_config: NIX_ENV.NIX_CONFIG.replace("nix-command", "nix-command flakes") });
    expect(run.exitCode, String(run.stderr)).toBe(0);
    // `nix build` links ./result to the toplevel the `system: { flake: ".#web" }` of step 2 names.
    expect(await readlink(join(project, "result"))).toMatch(/^\/nix\/store\/[a-z0-9]{32}-nixos-system-flake-mini$/);
    expect(String(run.stdout)).toMatch(/fileSystems\."\/"/);
    expect(String(run.stdout)).toMatch(/fileSystems\."\/boot"/);

    // Step 2's `system: { flake: ".#web" }` is that flake: the engine runs the provider in the
    // project's folder (pkg/resource/plugin/plugin.go: cmd.Dir), beside its node_modules.
    await symlink(join(repo, "node_modules"), join(project, "node_modules"));
    const root = join(work, "flake-root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    const host = await startDynamicProviderHost(project);
    try {
      const declared = await declaredInputs({ target: `dir:${root}`, system: { flake: ".#web" } });
      const checked = await host.check(`urn:pulumi:dev::web::${declared.type}::web1`, {}, declared.inputs);
      expect(checked.failures).toEqual([]);
      expect(await host.stderrSince(0)).toEqual([expect.stringMatching(new RegExp(`^nixos-via: dir:${root}: not NixOS yet → install ${await readlink(join(project, "result"))} as generation 1: `))]);
    } finally {
      await host.stop();
    }
  }, 300_000);

  describe.each([
    ["a dir: root", "dir"],
    ["a root over a loopback ssh:// host", "ssh"],
  ] as const)("steps 2 and 3 on %s: the engine's calls through Pulumi's dynamic-provider host", (_name, kind) => {
    let host: DynamicProviderHost;
    let target: string;
    let base: Props;
    let urn: string;
    beforeAll(async () => {
      const root = join(work, `${kind}-root`);
      await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
      target = kind === "dir" ? `dir:${root}` : `ssh://root@127.0.0.1:${loopback.sshd().port}`;
      base = kind === "dir" ? { target } : { target, root, ssh: { identityFiles: [loopback.client().key], configFile: false } };
      host = await startDynamicProviderHost(repo);
      await host.configure();
    });
    afterAll(async () => {
      await host?.stop();
    });

    const stderrSince = (n: number) => host.stderrSince(n);

    it("runs preview, up, refresh, preview, up and destroy, each saying what it does to the machine", async () => {
      const declared = await declaredInputs({ ...base, system: gen1 });
      urn = `urn:pulumi:dev::web::${declared.type}::web1`;
      const inputs1 = declared.inputs;

      // pulumi preview (a new resource: Check only) reads the machine and says it installs.
      let mark = host.stderr.length;
      const checked1 = await host.check(urn, {}, inputs1);
      expect(checked1.failures).toEqual([]);
      expect(checked1.inputs).toEqual(inputs1);
      expect(await stderrSince(mark)).toEqual([expect.stringMatching(new RegExp(`^nixos-via: ${target}: not NixOS yet → install ${gen1} as generation 1: send \\d+ store paths \\(.+\\), activate it inside the root$`))]);

      // pulumi up: Check, then Create with the checked inputs.
      await host.check(urn, {}, inputs1);
      const created = await host.create(urn, checked1.inputs);
      const id = kind === "dir" ? target : `${target}#${base["root"] as string}`;
      expect(created.id).toBe(id);
      expect(created.properties).toMatchObject({ toplevel: gen1, generation: 1, lastOutcome: "installed", __provider: inputs1["__provider"] });
      if (kind === "ssh") expect(created.properties["hostKey"]).toBe((await readFile(`${loopback.sshd().hostKey}.pub`, "utf8")).split(" ").slice(0, 2).join(" "));
      let state = created.properties;

      // pulumi refresh: Read with the state; the machine runs what the state says.
      const read = await host.read(urn, id, state, inputs1);
      expect(read).toEqual({ id, properties: state });

      // pulumi preview with generation 2: Check (olds: the old inputs), Diff (olds: the state).
      const inputs2 = { ...inputs1, system: gen2 };
      mark = host.stderr.length;
      const checked2 = await host.check(urn, inputs1, inputs2);
      expect(checked2.failures).toEqual([]);
      const diff = await host.diff(urn, id, state, checked2.inputs, inputs1);
      expect(diff).toEqual({ changes: "some", replaces: [] });
      expect(await stderrSince(mark)).toEqual([`nixos-via: ${target}: runs ${gen1} → generation 2 ${gen2}: send ${added} store paths (${(await stderrSince(mark))[0]?.match(/paths \((.+?)\)/)?.[1]}), activate it inside the root`]);

      // pulumi up: Update; the next preview has nothing to do.
      const updated = await host.update(urn, id, state, checked2.inputs, inputs1);
      expect(updated.properties).toMatchObject({ toplevel: gen2, generation: 2, lastOutcome: "activated", __provider: inputs1["__provider"] });
      state = updated.properties;
      mark = host.stderr.length;
      expect(await host.diff(urn, id, state, checked2.inputs, inputs2)).toEqual({ changes: "none", replaces: [] });
      expect(await stderrSince(mark)).toEqual([`nixos-via: ${target}: runs ${gen2} (generation 2) already: nothing to do`]);

      // pulumi destroy: Delete leaves the machine as it is, and says so.
      mark = host.stderr.length;
      await host.delete(urn, id, state);
      expect(await stderrSince(mark)).toEqual([`nixos-via: ${id}: left as it is: deleting a NixosHost removes it from the stack only; the machine keeps running ${gen2} (generation 2)`]);
      const profile = join(kind === "dir" ? target.slice("dir:".length) : (base["root"] as string), "nix/var/nix/profiles/system");
      expect(await readlink(profile)).toBe("system-2-link");
    }, 300_000);

    it("a failure reaches the engine as the SDK's one-line error", async () => {
      const declared = await declaredInputs({ ...base, system: join(work, "no-such-result") });
      await expect(host.create(urn, declared.inputs)).rejects.toThrow(/no-such-result/);
    });
  });
});
