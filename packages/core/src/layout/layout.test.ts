import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatSteps } from "../pipeline/formatPlan.js";
import type { RunStep } from "../pipeline/Step.js";
import type { Layout } from "./Layout.js";
import { LayoutValidationError } from "./LayoutValidationError.js";
import { layoutToNixosModule } from "./layoutToNixosModule.js";
import { parseLayout } from "./parseLayout.js";
import { planLayout, type LayoutPlan } from "./planLayout.js";

const examples = fileURLToPath(new URL("../../../../examples/layouts/", import.meta.url));
const read = (path: string): unknown => JSON.parse(readFileSync(`${examples}${path}`, "utf8"));
const names = readdirSync(examples).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort();
const invalid = readdirSync(`${examples}invalid`).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort();

function devicesFor(layout: Layout): Record<string, string> {
  return Object.fromEntries(Object.keys(layout.disk ?? {}).sort().map((name, i) => [name, `/dev/loop${i + 3}`]));
}

function parsed(name: string): Layout {
  return parseLayout(read(`${name}.json`))._unsafeUnwrap();
}

function plan(layout: Layout): LayoutPlan {
  return planLayout(layout, { devices: devicesFor(layout), mountRoot: "/mnt" })._unsafeUnwrap();
}

/** The steps as `--dry-run` prints them: the plan printer's step lines and scripts, without its header. */
function render(p: LayoutPlan): string {
  const body = formatSteps([...p.steps, ...p.unmountSteps]);
  return [
    `filesystems: ${p.filesystems.join(" ")}`,
    `kernel features: ${p.kernelFeatures.join(" ") || "-"}`,
    `tools: ${p.tools.join(" ")}`,
    ...p.mounts.map((m) => `mount: ${m.path} (${m.mountpoint}) ${m.fsType} ${m.options.join(",")} <- ${m.description}`),
    "",
    body,
  ].join("\n");
}

const argvs = (steps: readonly RunStep[]) => steps.map((s) => s.argv.filter((a) => !a.includes("\n")).join(" "));

describe("example layouts", () => {
  it("has every required example", () => {
    for (const n of ["uefi-ext4", "bios-ext4", "ext4-swap", "btrfs-subvolumes", "luks-lvm", "msdos", "two-disks"]) expect(names).toContain(n);
  });

  for (const name of names) {
    it(`${name}: golden plan`, async () => {
      await expect(render(plan(parsed(name)))).toMatchFileSnapshot(`../../../../examples/layouts/__golden__/${name}.plan.txt`);
    });
    it(`${name}: golden NixOS module`, async () => {
      await expect(layoutToNixosModule(parsed(name))).toMatchFileSnapshot(`../../../../examples/layouts/__golden__/${name}.module.nix`);
    });
    it(`${name}: plans deterministically`, () => {
      const layout = parsed(name);
      const again = parseLayout(JSON.parse(JSON.stringify(read(`${name}.json`))))._unsafeUnwrap();
      expect(render(plan(again))).toBe(render(plan(layout)));
      expect(layoutToNixosModule(again)).toBe(layoutToNixosModule(layout));
    });
  }
});

describe("invalid layouts", () => {
  it("has at least 12", () => expect(invalid.length).toBeGreaterThanOrEqual(12));
  for (const name of invalid) {
    it(`${name}: reports the expected problems`, () => {
      const result = parseLayout(read(`invalid/${name}.json`));
      expect(result.isErr()).toBe(true);
      const error = result._unsafeUnwrapErr();
      expect(error).toBeInstanceOf(LayoutValidationError);
      expect(error.code).toBe("LAYOUT_INVALID");
      expect(`${error.details}\n`).toBe(readFileSync(`${examples}invalid/${name}.expected.txt`, "utf8"));
    });
  }

  it("reports every problem at once, each with its JSON path", () => {
    const error = parseLayout(read("invalid/many-problems.json"))._unsafeUnwrapErr();
    expect(error.problems.length).toBeGreaterThanOrEqual(3);
    expect(error.problems).toContainEqual({ path: "disk.main.content.partitions.root.size", message: '"12Q" is not a size (like 512M, 20G or 100%)' });
    expect(error.message).toBe(
      `disk.main.content.partitions.ESP.type: "EF0" is not a partition type code (4 hex digits like EF00) or GUID (and ${error.problems.length - 1} more problems)`,
    );
    expect(error.details?.split("\n")).toHaveLength(error.problems.length);
  });
});

describe("planLayout", () => {
  it("orders GPT partitions by priority: EF02 first, 100% last, ties by name", () => {
    const layout: Layout = {
      disk: {
        main: {
          type: "disk",
          content: {
            type: "gpt",
            partitions: {
              zroot: { size: "100%", content: { type: "filesystem", format: "ext4", mountpoint: "/" } },
              b: { size: "1G" },
              a: { size: "1G" },
              bios: { type: "EF02", size: "1M" },
              late: { size: "1G", priority: 5000 },
            },
          },
        },
      },
    };
    const news = plan(layout).steps.flatMap((s) => s.argv.filter((a) => a.startsWith("--change-name=")));
    expect(news).toEqual([
      "--change-name=1:disk-main-bios",
      "--change-name=2:disk-main-a",
      "--change-name=3:disk-main-b",
      "--change-name=4:disk-main-late",
      "--change-name=5:disk-main-zroot",
    ]);
  });

  it("runs the phases in order and marks the root BIOS bootable next to an EF02 partition", () => {
    const p = plan(parsed("bios-ext4"));
    const phases = p.steps.map((s) => s.phase);
    expect([...new Set(phases)]).toEqual(["wipe", "partition", "format", "mount"]);
    expect(argvs(p.steps)).toContain(
      "sgdisk --align-end --new=2:0:-0 --partition-guid=2:R --change-name=2:disk-main-root --typecode=2:8300 --attributes=2:set:2 /dev/loop3",
    );
    expect(p.unmountSteps.every((s) => s.phase === "unmount")).toBe(true);
  });

  it("addresses partitions by number through the layout script, never by guessed names", () => {
    const p = plan(parsed("uefi-ext4"));
    const mkfs = p.steps.find((s) => s.description.includes("as ext4"));
    expect(mkfs?.argv.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(mkfs?.argv.slice(3)).toEqual(["nixos-via-layout", "run", "mkfs.ext4", "-F", "@part:2:disk-main-root:/dev/loop3"]);
    expect(p.steps.some((s) => s.argv.includes("/dev/loop3p2") || s.argv.includes("/dev/loop32"))).toBe(false);
  });

  it("mounts parents before children and unmounts children first, then closes LUKS last", () => {
    const p = plan(parsed("luks-lvm"));
    expect(p.mounts.map((m) => m.path)).toEqual(["/mnt", "/mnt/boot"]);
    expect(p.unmountSteps.map((s) => s.argv.slice(4).join(" "))).toEqual([
      "unmount /mnt/boot",
      "unmount /mnt",
      "deactivate pool",
      "close crypted",
    ]);
  });

  it("never puts the LUKS passphrase file's content in argv", () => {
    const p = plan(parsed("luks-lvm"));
    const format = p.steps.find((s) => s.argv.includes("luksFormat"));
    expect(format?.argv.slice(3, 6)).toEqual(["nixos-via-layout", "run-with-password", "/tmp/secret.key"]);
    expect(format?.argv).toContain("-");
    expect(format?.env).toEqual({ DM_DISABLE_UDEV: "1" });
  });

  it("needs a device for every disk", () => {
    const error = planLayout(parsed("two-disks"), { devices: { a: "/dev/sdb" }, mountRoot: "/mnt" })._unsafeUnwrapErr();
    expect(error.problems).toEqual([
      { path: "disk.b", message: "disk b: the layout's /dev/vdb is a device of the machine it was written for, not used here: pass --disk b=/dev/…" },
    ]);
  });

  it("says in the plan when a disk is not on the device the layout names, and only then", () => {
    const wipes = (devices: Record<string, string>) =>
      planLayout(parsed("two-disks"), { devices, mountRoot: "/mnt" })._unsafeUnwrap().steps.filter((s) => s.phase === "wipe").map((s) => s.description);
    expect(wipes({ a: "/dev/sdb", b: "/dev/vdb" })).toEqual([
      "check that disk a (/dev/sdb, instead of the layout's /dev/vda) is not in use",
      "wipe the signatures on disk a (/dev/sdb, instead of the layout's /dev/vda)",
      "check that disk b (/dev/vdb) is not in use",
      "wipe the signatures on disk b (/dev/vdb)",
    ]);
  });

  it("refuses / as the mount root and devices for unknown disks", () => {
    const error = planLayout(parsed("uefi-ext4"), { devices: { main: "/dev/sdb", other: "/dev/sdc" }, mountRoot: "/" })._unsafeUnwrapErr();
    expect(error.problems.map((p) => p.path)).toEqual(["disk.other", "mountRoot"]);
  });

  it("finds no device through the prototype of the devices given", () => {
    const layout = parseLayout({ disk: { constructor: { type: "disk", content: { type: "gpt", partitions: { root: { size: "100%", content: { type: "filesystem", format: "ext4", mountpoint: "/" } } } } } } })._unsafeUnwrap();
    expect(planLayout(layout, { devices: {}, mountRoot: "/mnt" })._unsafeUnwrapErr().problems.map((p) => p.path)).toEqual(["disk.constructor"]);
    const error = planLayout(parsed("uefi-ext4"), { devices: { main: "/dev/sdb", toString: "/dev/sdc" }, mountRoot: "/mnt" })._unsafeUnwrapErr();
    expect(error.problems).toEqual([{ path: "disk.toString", message: "a device is given for disk toString, but the layout has no such disk" }]);
  });

  it("refuses a device with control characters, which the plan would print raw", () => {
    const error = planLayout(parsed("uefi-ext4"), { devices: { main: "/dev/sd\u001b[2Jb" }, mountRoot: "/mnt" })._unsafeUnwrapErr();
    expect(error.problems.map((p) => p.path)).toEqual(["disk.main"]);
    expect(error.message).toBe('disk.main: "/dev/sd\\u001b[2Jb" is not a device path');
  });

  it("validates layouts built in TypeScript too", () => {
    const layout = { disk: { main: { type: "disk", content: { type: "gpt", partitions: { root: { size: "12Q" } } } } } } as unknown as Layout;
    expect(planLayout(layout, { devices: { main: "/dev/sdb" }, mountRoot: "/mnt" }).isErr()).toBe(true);
  });

  it("is pure: no I/O imports in the layout folder", () => {
    const dir = fileURLToPath(new URL(".", import.meta.url));
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
      expect(readFileSync(`${dir}${file}`, "utf8")).not.toMatch(/from "(node:)?(fs|child_process|net)|execa|ssh2/);
    }
  });
});

describe("hooks", () => {
  const hooked = {
    disk: { main: { type: "disk", content: { type: "gpt", partitions: { pv: { size: "100%", content: { type: "lvm_pv", vg: "pool" } } } } } },
    lvm_vg: {
      pool: {
        type: "lvm_vg",
        postCreateHook: "lvs pool",
        lvs: {
          root: { size: "1G", content: { type: "filesystem", format: "ext4", mountpoint: "/" } },
          raw: { size: "100M", content: { type: "filesystem", format: "ext4", mountpoint: "/raw", preMountHook: "echo before", postMountHook: 'touch "$rootMountPoint/raw/x"' } },
        },
      },
    },
  };

  it("are refused unless allowed, each by its path", () => {
    const error = parseLayout(hooked)._unsafeUnwrapErr();
    expect(new Set(error.problems.map((p) => p.path))).toEqual(new Set(["lvm_vg.pool.postCreateHook", "lvm_vg.pool.lvs.raw.content.preMountHook", "lvm_vg.pool.lvs.raw.content.postMountHook"]));
  });

  it("run, when allowed, as steps of their own around their node's steps, with the mount root and device", () => {
    const layout = parseLayout(hooked, { allowHooks: true })._unsafeUnwrap();
    const p = planLayout(layout, { devices: { main: "/dev/sdb" }, mountRoot: "/mnt", allowHooks: true })._unsafeUnwrap();
    const names = p.steps.map((s) => (s.description.startsWith("run the") ? s.argv[3] : s.description));
    const at = (name: string | undefined) => names.indexOf(name);
    expect(at("lvm_vg.pool.postCreateHook")).toBe(at("create the logical volume /dev/pool/root (1G)") + 1);
    expect(at("lvm_vg.pool.lvs.raw.content.preMountHook")).toBe(at("create the mountpoint /mnt/raw") - 1);
    expect(at("lvm_vg.pool.lvs.raw.content.postMountHook")).toBe(at("mount /dev/pool/raw on /mnt/raw") + 1);
    const post = p.steps[at("lvm_vg.pool.lvs.raw.content.postMountHook")];
    expect(post?.argv.slice(0, 3)).toEqual(["sh", "-c", 'touch "$rootMountPoint/raw/x"']);
    expect(post?.env).toEqual({ rootMountPoint: "/mnt", device: "/dev/pool/raw" });
    expect(planLayout(layout, { devices: { main: "/dev/sdb" }, mountRoot: "/mnt" }).isErr()).toBe(true);
  });
});

describe("logical volume order", () => {
  it("follows disko's priority: 1000 by default, 1251 for 100% sizes, explicit values win", async () => {
    const { orderLogicalVolumes } = await import("./walkLayout.js");
    const order = orderLogicalVolumes({
      rest: { size: "100%FREE" },
      home: { size: "10G" },
      late: { size: "5G", priority: 2000 },
      early: { size: "50%VG", priority: 10 },
      data: { size: "20G" },
    });
    expect(order.map(([k]) => k)).toEqual(["early", "data", "home", "rest", "late"]);
  });

  it("reads priority from disko JSON and refuses one that is not a number", () => {
    const layout = (lvs: Record<string, unknown>) => ({
      disk: { main: { type: "disk", content: { type: "gpt", partitions: { pv: { size: "100%", content: { type: "lvm_pv", vg: "pool" } } } } } },
      lvm_vg: { pool: { type: "lvm_vg", lvs } },
    });
    const ok = parseLayout(layout({ root: { size: "100%FREE", priority: 5, content: { type: "filesystem", format: "ext4", mountpoint: "/" } } }));
    const groups = ok._unsafeUnwrap().lvm_vg ?? {};
    expect(groups["pool"]?.lvs?.["root"]?.priority).toBe(5);
    const bad = parseLayout(layout({ root: { size: "100%FREE", priority: "first", content: { type: "filesystem", format: "ext4", mountpoint: "/" } } }));
    expect(bad.isErr() && bad.error.problems.some((p) => p.path === "lvm_vg.pool.lvs.root.priority")).toBe(true);
  });
});
