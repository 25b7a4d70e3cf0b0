import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { createNixosHostProvider, type NixosHostInputs, type NixosHostOutputs } from "@nixos-via/pulumi";
import { install, rollback } from "nixos-via";
import { buildMiniSystem } from "../support/nix.js";
import { startVm } from "../support/qemu.js";
import { freePort, keyPair } from "../support/sshd.js";
import { useVmWorkspace } from "../support/vmWorkspace.js";

// The NixosHost provider on a running system over SSH: the example system boots in QEMU
// (every run: one boot, ~12 s, then three switches), its host key given as a cloud API
// would give it. create deploys to a machine that is NixOS already; a rollback made outside
// Pulumi shows in diff; an update whose health check fails rolls the machine back and fails.
describe("@nixos-via/pulumi: a NixosHost on a running system over ssh://", () => {
  const workspace = useVmWorkspace("nixos-via-pulumi-ssh-");
  const gens: Record<string, string> = {};
  const lines: string[] = [];
  const provider = createNixosHostProvider({ log: (l) => lines.push(l) });
  let inputs: NixosHostInputs;
  let state: NixosHostOutputs;

  beforeAll(async () => {
    const work = workspace.dir();
    const client = await keyPair(work, "client");
    gens["1"] = await buildMiniSystem({ authorizedKeys: client.pub, generation: "1" });
    gens["2"] = await buildMiniSystem({ authorizedKeys: client.pub, generation: "2" });
    const root = join(work, "root");
    await mkdir(join(root, "boot"), { recursive: true, mode: 0o755 });
    expect((await install({ target: `dir:${root}`, system: gens["1"]! })).isOk()).toBe(true);
    const hostKey = (await readFile(join(root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8")).trim();
    const image = join(work, "root.img");
    await execa("mkfs.ext4", ["-q", "-F", "-d", root, image, "1G"]);
    const port = await freePort();
    const params = (await readFile(join(gens["1"]!, "kernel-params"), "utf8")).trim();
    const vm = workspace.track(
      startVm({ disks: [image], kernel: join(gens["1"]!, "kernel"), initrd: join(gens["1"]!, "initrd"), append: `init=${gens["1"]}/init ${params}`, sshPort: port, serialLog: join(work, "serial.log") }),
    );
    await vm.waitFor(/nixos-via-example: generation 1 up/, 240_000);
    inputs = { target: `ssh://root@127.0.0.1:${port}`, system: gens["2"]!, hostKey, ssh: { identityFiles: [client.key], configFile: false } };
  }, 600_000);

  it("create on a machine that runs NixOS already deploys with the switch, confirmed", async () => {
    const created = await provider.create(inputs);
    state = created.outs!;
    expect(state).toMatchObject({ toplevel: gens["2"], generation: 2, lastOutcome: "confirmed", hostKey: inputs.hostKey!.split(" ").slice(0, 2).join(" ") });
  });

  it("a rollback made outside Pulumi shows in diff: the machine runs generation 1 again, and the preview says it switches", async () => {
    const back = await rollback({ target: inputs.target, connection: { identityFiles: inputs.ssh!.identityFiles!, knownHostsFile: join(workspace.dir(), "known_hosts"), acceptNewHostKey: true, configFile: false } });
    expect(back.isOk() && back.value.to).toBe(1);
    expect(await provider.diff(state.target, state, inputs)).toEqual({ changes: true });
    expect(lines.at(-1)).toMatch(new RegExp(`^${inputs.target}: runs ${gens["1"]} → generation 3 ${gens["2"]}: send 0 store paths \\(.*\\), switch to it`));
  });

  it("an update whose health check fails rolls the machine back and fails", async () => {
    const update = provider.update(state.target, state, { ...inputs, healthChecks: ["test -e /etc/no-such-file"] });
    await expect(update).rejects.toMatchObject({ code: "DEPLOY_ROLLED_BACK" });
    await expect(update).rejects.toThrow(/rolled back from generation 3 to the previous one: health check failed with exit code 1: test -e \/etc\/no-such-file$/);
    const read = await provider.read(state.target, state);
    expect(read.props).toMatchObject({ toplevel: gens["1"] });
  });
});
