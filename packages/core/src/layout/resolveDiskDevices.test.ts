import { describe, expect, it } from "vitest";
import type { Disk, Layout } from "./Layout.js";
import { resolveDiskDevices } from "./resolveDiskDevices.js";

const disk = (device?: string): Disk => ({
  type: "disk",
  ...(device === undefined ? {} : { device }),
  content: { type: "filesystem", format: "ext4", mountpoint: "/" },
});
const oneDisk: Layout = { disk: { main: disk("/dev/vda") } };
const twoDisks: Layout = { disk: { a: disk("/dev/vda"), b: disk("/dev/vdb") } };

/** One line per disk that needs the arguments to say its device. */
const problems = (result: ReturnType<typeof resolveDiskDevices>) => {
  const error = result._unsafeUnwrapErr();
  expect(error.code).toBe("USAGE");
  return error.details?.split("\n");
};

describe("resolveDiskDevices", () => {
  it("uses the layout's own devices where they name the target's disks (ssh://)", () => {
    expect(resolveDiskDevices(twoDisks, { layoutDevices: true })._unsafeUnwrap()).toEqual({ a: "/dev/vda", b: "/dev/vdb" });
    expect(resolveDiskDevices(oneDisk, { layoutDevices: true, targetDevice: "/dev/vda" })._unsafeUnwrap()).toEqual({ main: "/dev/vda" });
  });

  it("lets --disk NAME=DEV override the layout's device and the target's", () => {
    expect(resolveDiskDevices(twoDisks, { layoutDevices: true, named: { b: "/dev/sdc" } })._unsafeUnwrap()).toEqual({ a: "/dev/vda", b: "/dev/sdc" });
    expect(resolveDiskDevices(oneDisk, { targetDevice: "/dev/sdb", named: { main: "/dev/sdc" } })._unsafeUnwrap()).toEqual({ main: "/dev/sdc" });
  });

  it("puts a one-disk layout on the target's device when the layout's devices are not this machine's (disk:, image:)", () => {
    expect(resolveDiskDevices(oneDisk, { targetDevice: "/dev/loopN" })._unsafeUnwrap()).toEqual({ main: "/dev/loopN" });
    expect(resolveDiskDevices({ disk: { main: disk() } }, { layoutDevices: true, targetDevice: "/dev/sda" })._unsafeUnwrap()).toEqual({ main: "/dev/sda" });
  });

  it("refuses a one-disk layout whose device is not the one named to install onto, saying how to choose", () => {
    expect(problems(resolveDiskDevices(oneDisk, { layoutDevices: true, targetDevice: "/dev/sda" }))).toEqual([
      "the layout puts disk main on /dev/vda, but /dev/sda is named to install onto: pass --disk main=/dev/sda to override the layout, or name /dev/vda",
    ]);
  });

  it("never claims a device the layout names is missing", () => {
    expect(problems(resolveDiskDevices(twoDisks, { named: { a: "/dev/sdb" } }))).toEqual([
      "disk b: the layout's /dev/vdb is a device of the machine it was written for, not used here: pass --disk b=/dev/…",
    ]);
    const both = resolveDiskDevices({ disk: { a: disk(), b: disk() } }, { layoutDevices: true });
    expect(problems(both)).toEqual(["disk a has no device: pass --disk a=/dev/…", "disk b has no device: pass --disk b=/dev/…"]);
    expect(both._unsafeUnwrapErr().message).toBe("disk a has no device: pass --disk a=/dev/… (and 1 more disk)");
  });

  it("keeps devices named for disks the layout does not have, for planLayout to refuse", () => {
    expect(resolveDiskDevices(oneDisk, { targetDevice: "/dev/sdb", named: { other: "/dev/sdc" } })._unsafeUnwrap()).toEqual({ other: "/dev/sdc", main: "/dev/sdb" });
  });

  it("finds nothing through the prototype", () => {
    const layout: Layout = { disk: { constructor: disk() } };
    expect(problems(resolveDiskDevices(layout, {}))).toEqual(["disk constructor has no device: pass --disk constructor=/dev/…"]);
  });
});
