import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript, TARGET_SHELLS } from "../../test/support/targetShells.js";
import { CHECK_BLOCK_DEVICE_SCRIPT, parseBlockDeviceCheck } from "./checkBlockDevice.js";

const work = mkdtempSync(join(tmpdir(), "nixos-via-check-device-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A real disk cannot be used here: what runs without one is the refusal of everything else.
for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available)(`CHECK_BLOCK_DEVICE_SCRIPT under ${shell.name}`, () => {
    it.each([
      ["a regular file", () => {
        const file = join(work, `disk-${shell.id}.img`);
        writeFileSync(file, "");
        return file;
      }],
      ["a missing path", () => join(work, "no-such-disk")],
      ["a character device", () => "/dev/null"],
    ])("refuses %s as not a block device", (_, path) => {
      const device = path();
      const r = runScript(shell, CHECK_BLOCK_DEVICE_SCRIPT, "nixos-via-check-device", [device], { env: { PATH: process.env.PATH ?? "" } });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe("notblock\n");
      expect(parseBlockDeviceCheck(r.stdout, device, `disk:${device}`)._unsafeUnwrapErr().message).toContain(`${device} is not a block device`);
    });
  });
}

describe("parseBlockDeviceCheck", () => {
  it("says a disk holding / holds the running system, not to unmount it", () => {
    const facts = "mounted=vda /\nmounted=vda /nix/store\nchecked\n";
    expect(parseBlockDeviceCheck(facts, "/dev/vda", "ssh://web1")._unsafeUnwrapErr().message).toBe(
      "/dev/vda is in use: vda holds the running system (mounted at /); nothing was touched",
    );
  });

  it("names each mount of a disk that is mounted elsewhere", () => {
    const facts = "mounted=sdb1 /media/stick\nmounted=sdb2 /media/data\nchecked\n";
    expect(parseBlockDeviceCheck(facts, "/dev/sdb", "disk:/dev/sdb")._unsafeUnwrapErr().message).toContain(
      "/dev/sdb is in use: sdb1 is mounted at /media/stick, sdb2 is mounted at /media/data; unmount it first",
    );
  });

  it("allows a disk that nothing uses", () => {
    expect(parseBlockDeviceCheck("checked\n", "/dev/vdb", "ssh://web1").isOk()).toBe(true);
  });
});
