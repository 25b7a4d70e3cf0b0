import { copyFile, cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nixosVia } from "../support/cli.js";
import { NIX_ENV } from "../support/nix.js";
import { removeTree, tempRoot } from "../support/tempRoot.js";

// --flake REF#NAME builds nixosConfigurations.NAME.config.system.build.toplevel first.
describe("nixos-via install --flake", () => {
  let work: string;
  beforeAll(async () => {
    work = await tempRoot("nixos-via-flake-");
    await cp(new URL("../fixtures/flake", import.meta.url).pathname, join(work, "flake"), { recursive: true });
    // The flake's builder: the host's static busybox, so the build needs nothing outside the store.
    await mkdir(join(work, "flake", "bbdir"));
    await copyFile("/usr/bin/busybox", join(work, "flake", "bbdir", "busybox"));
  });
  afterAll(async () => {
    await removeTree(work);
  });

  it("builds the configuration and plans its install", async () => {
    const root = await tempRoot("nixos-via-flake-root-");
    try {
      const run = await nixosVia(["install", `dir:${root}`, "--flake", `path:${join(work, "flake")}#mini`, "--dry-run"], NIX_ENV);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^install \/nix\/store\/[a-z0-9]{32}-nixos-system-flake-mini$/m);
    } finally {
      await removeTree(root);
    }
  });

  it("names a configuration the flake does not have in one line", async () => {
    const run = await nixosVia(["install", "dir:/tmp", "--flake", `path:${join(work, "flake")}#absent`, "--dry-run"], NIX_ENV);
    expect(run.exitCode).toBe(1);
    const errors = run.stderr.split("\n").filter((l) => l.startsWith("nixos-via: error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^nixos-via: error: building path:.*#nixosConfigurations\."absent"\.config\.system\.build\.toplevel failed$/);
    const bare = await nixosVia(["install", "dir:/tmp", "--flake", "path:/nonexistent"]);
    expect(bare.exitCode).toBe(2);
    expect(bare.stderr).toContain("names no configuration; use FLAKE#NAME");
  });
});
