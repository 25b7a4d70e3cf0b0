import { lstatSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScript, TARGET_SHELLS } from "../../test/support/targetShells.js";
import { planProfile, PROFILE_SCRIPT } from "./planProfile.js";
import type { TargetFacts } from "../target/index.js";

const TOPLEVEL = "/nix/store/cccccccccccccccccccccccccccccccc-nixos-system-web-24.11";
const NEXT = "/nix/store/dddddddddddddddddddddddddddddddd-nixos-system-web-25.05";

for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available)(`PROFILE_SCRIPT under ${shell.name}`, () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), "nixos-via-profile-"));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const profiles = () => join(root, "nix/var/nix/profiles");
    /** Runs the step planProfile plans, with this shell in place of sh. */
    const apply = (toplevel: string, generations: TargetFacts["generations"], current?: number) => {
      const facts = { generations, currentGeneration: current } as TargetFacts;
      const [step] = planProfile(root, toplevel, facts).steps;
      expect(step?.argv.slice(0, 2)).toEqual(["sh", "-c"]);
      const [, , script, name, ...args] = step!.argv;
      expect(script).toBe(PROFILE_SCRIPT);
      const r = runScript(shell, script!, name!, args, { env: { PATH: process.env.PATH ?? "" } });
      expect(r.status, r.stderr).toBe(0);
    };

    it("makes generation 1 in a fresh root: the link, the relative system link, the GC root", () => {
      apply(TOPLEVEL, []);
      expect(readlinkSync(join(profiles(), "system-1-link"))).toBe(TOPLEVEL);
      expect(readlinkSync(join(profiles(), "system"))).toBe("system-1-link");
      expect(readlinkSync(join(root, "nix/var/nix/gcroots/profiles"))).toBe("/nix/var/nix/profiles");
      expect(lstatSync(profiles()).mode & 0o777).toBe(0o755);
    });

    it("moves the system link to the next generation and keeps the older one", () => {
      apply(TOPLEVEL, []);
      apply(NEXT, [{ number: 1, toplevel: TOPLEVEL }], 1);
      expect(readlinkSync(join(profiles(), "system-1-link"))).toBe(TOPLEVEL);
      expect(readlinkSync(join(profiles(), "system-2-link"))).toBe(NEXT);
      expect(readlinkSync(join(profiles(), "system"))).toBe("system-2-link");
    });
  });
}
