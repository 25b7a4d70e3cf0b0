import { readFileSync } from "node:fs";
import { ok, okAsync, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { ClosureSource } from "../closure/ClosureSource.js";
import type { NixosSystem } from "../closure/NixosSystem.js";
import { parsePathInfoJson } from "../closure/parsePathInfoJson.js";
import { sortByReferences } from "../closure/sortByReferences.js";
import type { Layout } from "../layout/Layout.js";
import { planLayout } from "../layout/planLayout.js";
import { formatPlan } from "../pipeline/formatPlan.js";
import { runPlan } from "../pipeline/runPlan.js";
import type { CopyClosureStep, RunStep } from "../pipeline/Step.js";
import type { Target } from "../target/Target.js";
import { parseKexecFacts } from "./KexecFacts.js";
import type { KexecInstaller } from "./KexecInstaller.js";
import { INSTALLER_MARKER, planKexecInstall, type PlanKexecInstallParameters } from "./planKexecInstall.js";

const MIB = 2 ** 20;
const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");
const TOPLEVEL = "/nix/store/2jimbaisz8l4zd94h196r78alhpc47pk-nixos-system-nixos-via-1";
const paths = sortByReferences(parsePathInfoJson(fixture("nix-2.8-path-info.json"))._unsafeUnwrap())._unsafeUnwrap();
const system: NixosSystem = { toplevel: TOPLEVEL, system: "x86_64-linux", version: "24.11", nixStore: `${TOPLEVEL}/sw/bin/nix-store`, closure: { root: TOPLEVEL, paths } };
const layout = JSON.parse(readFileSync(new URL("../../../../examples/layouts/uefi-ext4.json", import.meta.url), "utf8")) as Layout;
const layoutPlan = planLayout(layout, { devices: { main: "/dev/vda" }, mountRoot: "/mnt" })._unsafeUnwrap();
const target = { uri: "ssh://root@203.0.113.7", root: "/mnt", capabilities: { root: true, remote: true, hostNix: false, running: true } };

// Two of the installer's store paths are the closure's; the third (its own tools) is not.
const closurePaths = [paths[0]!.path, paths[1]!.path];
const installer: KexecInstaller = {
  path: "/nix/store/y7n8qxc32sw0w639l78zslabdy7n9x86-nixos-via-kexec-installer",
  kernelBytes: 8 * MIB,
  initrdBytes: 14 * MIB,
  uploadBytes: 26 * MIB,
  unpackedBytes: 40 * MIB,
  storePaths: [...closurePaths, "/nix/store/0000000000000000000000000000000a-nixos-via-installer-tools"],
  reusedBytes: 30 * MIB,
  tools: ["sh", "tar", "gzip", "zstd", "unshare", "chroot", "mount", "umount", "awk", "cat", "grep", "mkdir", "mknod", "readlink", "sleep", "sgdisk", "partx", "wipefs", "mkfs.ext4", "mkfs.vfat", "blkid"],
  fromHost: ["sgdisk", "partx", "wipefs", "mkfs.ext4", "mkfs.vfat", "blkid"],
  kernelRelease: "6.1.0-57-amd64",
  modules: ["ext4", "vfat", "dm_mod"],
};
const stock = "machine=x86_64\nkernel=6.1.0-57-amd64\nuid=0\nmem_total_kib=230000\nmem_available_kib=180000\nupload_dir=/run\nkexec_load_disabled=0\nkexec_support=1\ntar=1\n";
const params = (probe: string): PlanKexecInstallParameters => ({
  system,
  target,
  kexecFacts: parseKexecFacts(probe),
  installer,
  layout: layoutPlan,
  extras: { readHostKey: true, reboot: true, waitTimeoutS: 300 },
});

describe("planKexecInstall", () => {
  it("switches to the installer first, then plans the ordinary install from its RAM", async () => {
    const plan = planKexecInstall(params(stock))._unsafeUnwrap();
    const kinds = plan.steps.map((s) => `${s.phase}:${s.kind}`);
    expect(kinds.slice(0, 5)).toEqual(["kexec:run", "kexec:copy-files", "kexec:run", "kexec:run", "kexec:wait-for-installer"]);
    expect(plan.steps.slice(0, 5).map((s) => s.description)).toEqual([
      "make the upload folder /run/nixos-via-kexec (tmpfs)",
      "upload the installer (26.0 MiB: kernel, initrd, kexec)",
      "carry the machine's SSH host keys, authorized keys, addresses, routes and DNS into the installer, and kexec --load it (nothing changes yet)",
      "switch to the installer with kexec -e (the running system stops here)",
      "wait until the installer answers with the machine's own host key (up to 300s)",
    ]);
    expect(plan.steps[4]).toMatchObject({ marker: INSTALLER_MARKER, timeoutS: 300 });
    // After the switch: the layout, the paths from RAM staged right before the copy, the
    // peak memory read before the reboot, the wait for the new system last.
    const phases = [...new Set(plan.steps.slice(5).map((s) => s.phase))];
    expect(phases.slice(0, 4)).toEqual(["wipe", "partition", "format", "mount"]);
    const stage = plan.steps.findIndex((s) => s.description.includes("from the installer's RAM instead of sending them"));
    const copy = plan.steps.findIndex((s) => s.kind === "copy-closure");
    expect(copy).toBe(stage + 1);
    expect((plan.steps[stage] as RunStep).argv.slice(-3)).toEqual(["/mnt", ...closurePaths]);
    expect((plan.steps[copy] as CopyClosureStep).paths.map((p) => p.path)).not.toContain(closurePaths[0]);
    // The copy lands in the installer's RAM-backed system, not the machine probed before the
    // switch: the narrowest compression window, whatever the old system had free.
    expect((plan.steps[copy] as CopyClosureStep).windowLog).toBe(24);
    const peak = plan.steps.findIndex((s) => s.kind === "run" && s.capture === "installerPeakKib");
    expect(peak).toBeGreaterThan(copy);
    expect(plan.steps.at(-1)!.kind).toBe("wait-for-system");
    expect(plan.steps.slice(peak).map((s) => s.phase).every((p) => p === "reboot")).toBe(true);
    await expect(formatPlan(plan)).toMatchFileSnapshot("../../test/__golden__/install-ssh-kexec.plan.txt");
  });

  it("shows the installer's size and the RAM both sides need (the dry run's figures)", () => {
    const plan = planKexecInstall(params(stock))._unsafeUnwrap();
    expect(plan.kexec).toEqual({
      uploadBytes: 26 * MIB,
      kernelBytes: 8 * MIB,
      initrdBytes: 14 * MIB,
      reusedPaths: 2,
      reusedBytes: 30 * MIB,
      // upload + kernel + initrd (kexec --load's copy) + 16 MiB
      loadRamBytes: 64 * MIB,
      // unpacked + packed initrd + 4 × kernel + 64 MiB
      installerRamBytes: 150 * MIB,
    });
    expect(plan.copy).toMatchObject({ total: paths.length, staged: 2, paths: paths.length - 2 });
    const text = formatPlan(plan);
    expect(text).toContain("  kexec installer: 26.0 MiB to upload (kernel 8.0 MiB, initrd 14.0 MiB); 2 of its store paths (30.0 MiB) are the closure's and reach the disk from RAM");
    expect(text).toContain("  RAM: the switch needs 64.0 MiB free on the running system, the installer 150.0 MiB in all");
  });

  it("runs nothing irreversible before kexec --load has succeeded", async () => {
    const plan = planKexecInstall(params(stock))._unsafeUnwrap();
    const load = plan.steps.findIndex((s) => s.kind === "run" && s.argv[3] === "nixos-via-kexec-load");
    expect(load).toBe(2);
    // Before it: a folder in tmpfs and the upload into it. Its script stops on a failed load.
    const script = (plan.steps[load] as RunStep).argv[2]!;
    expect(script).toMatch(/set -eu/);
    expect(script).toMatch(/if ! kexec --load [^\n]*; then\n[^\n]*\n\s*exit 1\n/);
    expect(script).toMatch(/\/sys\/kernel\/kexec_loaded[^\n]*!= 1/);

    // A machine whose load fails: the run stops there, kexec -e and the wipe never run.
    const ran: string[] = [];
    const machine: Target = {
      ...target,
      exec: (argv, options = {}) => {
        ran.push(argv[0] === "sh" ? argv[3]! : argv.join(" "));
        const fails = argv[3] === "nixos-via-kexec-load";
        return ResultAsync.fromSafePromise(
          (async () => {
            if (options.stdin !== undefined && typeof options.stdin !== "string" && !(options.stdin instanceof Uint8Array)) for await (const _ of options.stdin);
            return { exitCode: fails ? 1 : 0, stdout: "", stderr: fails ? "nixos-via-kexec: kexec --load failed; the machine keeps running its own system, unchanged" : "" };
          })(),
        );
      },
      close: () => okAsync(undefined),
    };
    const source: ClosureSource = {
      exportPaths: () => ({ stream: (async function* () {})(), tarBytes: () => 0, cancel: () => {}, done: new ResultAsync(Promise.resolve(ok(undefined))) }),
      exportFolder: () => source.exportPaths([]),
    };
    const run = await runPlan(plan, { target: machine, source });
    expect(run.isErr()).toBe(true);
    expect(ran.slice(0, 3)).toEqual(["nixos-via-kexec-folder", "tar -x -f - -C /run/nixos-via-kexec", "nixos-via-kexec-load"]);
    expect(ran.slice(3).some((r) => r === "nixos-via-kexec-exec" || /wipe|sgdisk/.test(r))).toBe(false);
  });

  it("refuses before any step a machine that cannot kexec", () => {
    const error = planKexecInstall(params(`${stock}kexec_load_disabled=1\n`))._unsafeUnwrapErr();
    expect(error.message).toMatch(/^ssh:\/\/root@203\.0\.113\.7 cannot take over with kexec: kexec is switched off .*\(nothing was changed\)$/);
  });

  it("on a rerun that finds the installer running, skips the switch and stages what it holds", async () => {
    // The earlier run switched (so kexec is of no matter now); this installer holds one path.
    const rerun = `${stock}kexec_load_disabled=1\ninstaller_paths=${closurePaths[0]} /nix/store/0000000000000000000000000000000a-nixos-via-installer-tools \n`;
    const plan = planKexecInstall(params(rerun))._unsafeUnwrap();
    expect(plan.steps.some((s) => s.phase === "kexec")).toBe(false);
    // What a run that died mid-install left mounted is released before the layout again.
    expect(plan.steps.slice(0, 2).map((s) => s.description)).toEqual(["release what an earlier run left: unmount /mnt/boot", "release what an earlier run left: unmount /mnt"]);
    expect(plan.steps[2]!.phase).toBe("wipe");
    expect(plan.kexec).toMatchObject({ alreadyRunning: true, reusedPaths: 1 });
    const stage = plan.steps.find((s) => s.description.includes("from the installer's RAM instead of sending them")) as RunStep;
    expect(stage.argv.slice(-2)).toEqual(["/mnt", closurePaths[0]]);
    const text = formatPlan(plan);
    expect(text).toContain("  kexec installer: already running on the machine (an earlier run switched to it); no second kexec, 1 store paths reach the disk from its RAM");
    await expect(text).toMatchFileSnapshot("../../test/__golden__/install-ssh-kexec-rerun.plan.txt");
  });
});
