import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENTER_SCRIPT, enterArgv } from "./enterScript.js";
import { planInstallActivation } from "./planInstallActivation.js";

const TOPLEVEL = "/nix/store/cccccccccccccccccccccccccccccccc-nixos-system-web-24.11";

describe("planInstallActivation", () => {
  it("marks the root as NixOS, activates and installs the bootloader inside it, in one command", () => {
    expect(planInstallActivation("/mnt", TOPLEVEL)).toEqual([
      {
        kind: "run",
        phase: "activate",
        description: "mark the root as NixOS, activate the system and install its bootloader (switch-to-configuration boot)",
        argv: ["sh", "-c", ENTER_SCRIPT, "nixos-via-enter", "/mnt", `${TOPLEVEL}/activate`, "/run/current-system/bin/switch-to-configuration", "boot"],
        env: { NIXOS_INSTALL_BOOTLOADER: "1", NIXOS_VIA_MARK_ROOT: "1" },
      },
    ]);
  });

  it("the enter script, asked to mark the root, leaves etc/NIXOS and etc/mtab behind (twice in a row)", () => {
    const root = mkdtempSync(join(tmpdir(), "nixos-via-mark-"));
    try {
      // The root has no system, so entering fails after the marking: that part is what is tested.
      const run = () => spawnSync("sh", ["-c", ENTER_SCRIPT, "nixos-via-enter", root, "-", "/nonexistent"], { env: { ...process.env, NIXOS_VIA_MARK_ROOT: "1" } });
      run();
      run();
      expect(statSync(join(root, "etc/NIXOS")).isFile()).toBe(true);
      expect(statSync(join(root, "etc")).mode & 0o777).toBe(0o755);
      expect(lstatSync(join(root, "etc/mtab")).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(root, "etc/mtab"))).toBe("/proc/mounts");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("does not mark a root unless asked (nixos-enter refuses roots without etc/NIXOS)", () => {
    const root = mkdtempSync(join(tmpdir(), "nixos-via-nomark-"));
    try {
      spawnSync("sh", ["-c", ENTER_SCRIPT, "nixos-via-enter", root, "-", "/nonexistent"], { env: { ...process.env, NIXOS_VIA_MARK_ROOT: "" } });
      expect(existsSync(join(root, "etc/NIXOS"))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("enterArgv", () => {
  it("passes - when there is nothing to activate", () => {
    expect(enterArgv("/mnt", undefined, ["true"])).toEqual(["sh", "-c", ENTER_SCRIPT, "nixos-via-enter", "/mnt", "-", "true"]);
  });
});
