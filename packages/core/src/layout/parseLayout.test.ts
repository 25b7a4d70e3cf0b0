import { describe, expect, it } from "vitest";
import { parseLayout } from "./parseLayout.js";
import { planLayout } from "./planLayout.js";

const root = { type: "filesystem", format: "ext4", mountpoint: "/" };

/** A one-disk layout around `content` of a GPT partition named `root`. */
function gptLayout(partitions: Record<string, unknown>): unknown {
  return { disk: { main: { type: "disk", content: { type: "gpt", partitions } } } };
}

function msdosLayout(start: string, end: string): unknown {
  return {
    disk: { main: { type: "disk", content: { type: "table", format: "msdos", partitions: [{ name: "nixos", start, end, content: root }] } } },
  };
}

const problemsOf = (json: unknown) => parseLayout(json).match(() => [], (e) => e.problems);

describe("parseLayout: msdos partition positions", () => {
  it("accepts every unit suffix parted accepts, single letters and any case included", () => {
    const positions = ["1M", "512M", "2G", "1T", "4K", "100%", "0%", "1MiB", "2GiB", "1TiB", "4KiB", "2048s", "1048576B", "1kB", "1MB", "1GB", "1TB", "1cyl", "1chs", "512m", "1mib", "1.5GiB", "-2GiB", "-1s", "0,1,0"];
    for (const start of positions) expect(problemsOf(msdosLayout(start, "100%")), start).toEqual([]);
  });

  it("refuses what parted refuses", () => {
    for (const start of ["512X", "M", "1 M", "0.5G", "1MiBs", "--1M"]) {
      expect(problemsOf(msdosLayout(start, "100%")).map((p) => p.path), start).toEqual(["disk.main.content.partitions[0].start"]);
    }
  });
});

describe("parseLayout: arguments that name devices", () => {
  const withArgs = (content: Record<string, unknown>) => gptLayout({ root: { size: "100%", content } });

  it("refuses device paths and partition references in extraArgs, extraFormatArgs and extraOpenArgs, each at its path", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ type: "btrfs", mountpoint: "/", extraArgs: ["-d single /dev/sdy"] }, "extraArgs[0]"],
      [{ ...root, extraArgs: ["-E", "offset=0", "-d/dev/sdy"] }, "extraArgs[2]"],
      [{ ...root, extraArgs: ["--opt=dev/sdy"] }, "extraArgs[0]"],
      [{ ...root, extraArgs: ["../../dev/sdy"] }, "extraArgs[0]"],
      [{ type: "luks", name: "c", passwordFile: "/k", extraOpenArgs: ["@part:1:x:/dev/vda"], content: root }, "extraOpenArgs[0]"],
      [{ type: "luks", name: "c", passwordFile: "/k", extraFormatArgs: ["--header", "/dev/sdz"], content: root }, "extraFormatArgs[1]"],
      [{ type: "luks", name: "c", passwordFile: "/k", extraOpenArgs: ["--header=/dev/disk/by-id/usb"], content: root }, "extraOpenArgs[0]"],
      [{ type: "btrfs", mountpoint: "/", subvolumes: { "@": { extraArgs: ["/dev/sdy"] } } }, "subvolumes.@.extraArgs[0]"],
    ];
    for (const [content, at] of cases) {
      const problems = problemsOf(withArgs(content));
      expect(problems.map((p) => p.path), at).toEqual([`disk.main.content.partitions.root.content.${at}`]);
      expect(problems[0]?.message).toMatch(/names a device.*declare it as a disk of the layout/);
    }
  });

  it("refuses them in mkswap's extraArgs", () => {
    const layout = gptLayout({ root: { size: "10G", content: root }, swap: { size: "100%", content: { type: "swap", extraArgs: ["/dev/sdy"] } } });
    expect(problemsOf(layout).map((p) => p.path)).toEqual(["disk.main.content.partitions.swap.content.extraArgs[0]"]);
  });

  it("refuses them in logical volume extraArgs too", () => {
    const layout = {
      disk: { main: { type: "disk", content: { type: "gpt", partitions: { pv: { size: "100%", content: { type: "lvm_pv", vg: "pool" } } } } } },
      lvm_vg: { pool: { type: "lvm_vg", lvs: { root: { size: "100%FREE", extraArgs: ["/dev/sdy"], content: root } } } },
    };
    expect(problemsOf(layout).map((p) => p.path)).toEqual(["lvm_vg.pool.lvs.root.extraArgs[0]"]);
  });

  it("keeps plain arguments", () => {
    expect(problemsOf(withArgs({ ...root, extraArgs: ["-E lazy_itable_init=1", "-O", "^has_journal", "-d", "/srv/devroot"] }))).toEqual([]);
  });
});

describe("parseLayout: names that are not what they seem", () => {
  const luks = (name: string, passwordFile = "/tmp/secret.key") => ({ type: "luks", name, passwordFile, content: { type: "filesystem", format: "ext4", mountpoint: "/secret" } });

  it("refuses a partition named __proto__ instead of dropping it and its /secret", () => {
    const json = JSON.parse(JSON.stringify(gptLayout({ root: { size: "10G", content: root }, data: { size: "100%", content: luks("crypted") } })).replace('"data"', '"__proto__"'));
    expect(problemsOf(json).map((p) => p.path)).toEqual(["disk.main.content.partitions.__proto__"]);
  });

  it("keeps names that Object.prototype also has, and finds no volume group or array through the prototype", () => {
    const layout = {
      disk: { constructor: { type: "disk", content: { type: "gpt", partitions: {
        toString: { size: "10G", content: root },
        valueOf: { size: "1G", content: { type: "lvm_pv", vg: "hasOwnProperty" } },
        isPrototypeOf: { size: "100%", content: { type: "mdraid", name: "propertyIsEnumerable" } },
      } } } },
    };
    const result = parseLayout(layout);
    expect(result._unsafeUnwrapErr().problems.map((p) => p.path)).toEqual([
      "disk.constructor.content.partitions.valueOf.content.vg",
      "disk.constructor.content.partitions.isPrototypeOf.content.name",
    ]);
    const fine = parseLayout({ disk: { constructor: { type: "disk", content: { type: "gpt", partitions: { toString: { size: "100%", content: root } } } } } });
    expect(Object.keys(fine._unsafeUnwrap().disk?.["constructor"]?.content ?? {})).toContain("partitions");
  });

  it("keeps every entry of every map, whatever its key", () => {
    const text = JSON.stringify({
      disk: { main: { type: "disk", content: { type: "gpt", partitions: {
        root: { size: "10G", content: { type: "btrfs", mountpoint: "/", subvolumes: { SUBKEY: { mountpoint: "/home" } } } },
        pv: { size: "1G", content: { type: "lvm_pv", vg: "pool" } },
      } } } },
      lvm_vg: { pool: { type: "lvm_vg", lvs: { data: { size: "100%FREE", content: { type: "filesystem", format: "ext4", mountpoint: "/data" } } } } },
    }).replace("SUBKEY", "__proto__");
    const plan = planLayout(parseLayout(JSON.parse(text))._unsafeUnwrap(), { devices: { main: "/dev/sdb" }, mountRoot: "/mnt" });
    expect(plan._unsafeUnwrap().mounts.map((m) => `${m.mountpoint} ${m.options.join(",")}`)).toEqual(["/ defaults", "/data defaults", "/home defaults,subvol=__proto__"]);
  });

  it("refuses . and .. where a name becomes a path or a device-mapper name", () => {
    const cases: [unknown, string][] = [
      [gptLayout({ root: { size: "10G", content: root }, c: { size: "100%", content: luks("..") } }), "disk.main.content.partitions.c.content.name"],
      [gptLayout({ root: { size: "100%", label: "..", content: root } }), "disk.main.content.partitions.root.label"],
      [{ disk: { main: { type: "disk", content: { type: "table", format: "msdos", partitions: [{ name: "..", content: root }] } } } }, "disk.main.content.partitions[0].name"],
      [{ disk: { "..": { type: "disk", content: root } } }, "disk..."],
      [{ disk: { main: { type: "disk", content: { type: "mdraid", name: ".." } } }, mdadm: { "..": { type: "mdadm", content: root } } }, "mdadm..."],
    ];
    for (const [layout, path] of cases) expect(problemsOf(layout).map((p) => p.path), path).toContain(path);
  });

  it("refuses .. and . in btrfs subvolume names, given as a key or as name", () => {
    const btrfs = (subvolumes: Record<string, unknown>) => gptLayout({ root: { size: "100%", content: { type: "btrfs", mountpoint: "/", subvolumes } } });
    expect(problemsOf(btrfs({ "../../etc": {} })).map((p) => p.path)).toEqual(["disk.main.content.partitions.root.content.subvolumes.../../etc"]);
    expect(problemsOf(btrfs({ home: { name: "@/../x" } })).map((p) => p.path)).toEqual(["disk.main.content.partitions.root.content.subvolumes.home.name"]);
    expect(problemsOf(btrfs({ home: { name: "./x" } })).map((p) => p.path)).toEqual(["disk.main.content.partitions.root.content.subvolumes.home.name"]);
    expect(problemsOf(btrfs({ "@": {}, "@home/.snapshots": {}, "/@nix": {} }))).toEqual([]);
  });

  it("refuses control characters in passwordFile and other strings, and never prints them raw", () => {
    const escape = "/tmp/\u001b[2Jsecret.key";
    const result = parseLayout(gptLayout({ root: { size: "10G", content: root }, c: { size: "100%", content: luks("crypted", escape) } }));
    const error = result._unsafeUnwrapErr();
    expect(error.problems[0]).toEqual({ path: "disk.main.content.partitions.c.content.passwordFile", message: '"/tmp/\\u001b[2Jsecret.key" holds control characters: give printable text' });
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
    const mountpoint = problemsOf(gptLayout({ root: { size: "100%", content: { ...root, mountpoint: "/a\u0007" } } }));
    expect(mountpoint.map((p) => p.path)).toEqual(["disk.main.content.partitions.root.content.mountpoint"]);
    const key = parseLayout(gptLayout({ "\u001b]0;x": { size: "100%", content: root } }))._unsafeUnwrapErr();
    expect(key.details).not.toMatch(/[\u0000-\u001f]/);
  });
});
