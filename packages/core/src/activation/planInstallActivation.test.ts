import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ENTER_SCRIPT, enterArgv } from "./enterScript.js";
import { planInstallActivation } from "./planInstallActivation.js";

const TOPLEVEL = "/nix/store/cccccccccccccccccccccccccccccccc-nixos-system-web-24.11";

describe("planInstallActivation", () => {
  it("marks the root as NixOS, then activates and installs the bootloader inside it", () => {
    const steps = planInstallActivation("/mnt", TOPLEVEL);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toMatchObject({ kind: "run", phase: "activate" });
    expect(steps[0]!.argv.at(-1)).toBe("/mnt");
    expect(steps[1]).toEqual({
      kind: "run",
      phase: "activate",
      description: "activate the system and install its bootloader (switch-to-configuration boot)",
      argv: ["sh", "-c", ENTER_SCRIPT, "nixos-via-enter", "/mnt", `${TOPLEVEL}/activate`, "/run/current-system/bin/switch-to-configuration", "boot"],
      env: { NIXOS_INSTALL_BOOTLOADER: "1" },
    });
  });

  it("its marking step, run by a real sh, leaves etc/NIXOS and etc/mtab behind (twice in a row)", () => {
    const root = mkdtempSync(join(tmpdir(), "nixos-via-mark-"));
    try {
      const [cmd, ...args] = planInstallActivation(root, TOPLEVEL)[0]!.argv;
      execFileSync(cmd!, args);
      execFileSync(cmd!, args); // a rerun after an interruption must succeed too
      expect(statSync(join(root, "etc/NIXOS")).isFile()).toBe(true);
      expect(statSync(join(root, "etc")).mode & 0o777).toBe(0o755);
      expect(lstatSync(join(root, "etc/mtab")).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(root, "etc/mtab"))).toBe("/proc/mounts");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("marks / itself without a double slash", () => {
    expect(planInstallActivation("/", TOPLEVEL)[0]!.argv.at(-1)).toBe("");
  });
});

describe("enterArgv", () => {
  it("passes - when there is nothing to activate", () => {
    expect(enterArgv("/mnt", undefined, ["true"])).toEqual(["sh", "-c", ENTER_SCRIPT, "nixos-via-enter", "/mnt", "-", "true"]);
  });
});
