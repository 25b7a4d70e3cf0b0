import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript, TARGET_SHELLS } from "../../test/support/targetShells.js";
import { KEXEC_PROBE_SCRIPT } from "./index.js";
import { parseKexecFacts } from "./KexecFacts.js";

// The probe's "a switch is under way" mark, under the shells of stock machines. The
// folders it looks in (/run, /dev/shm, /tmp) become one scratch folder, so the test does
// not depend on this machine's /run.
const work = mkdtempSync(join(tmpdir(), "nixos-via-kexec-probe-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const script = KEXEC_PROBE_SCRIPT.replaceAll("for d in /run /dev/shm /tmp; do", `for d in ${work}; do`);

for (const shell of TARGET_SHELLS) {
  describe.skipIf(!shell.available)(`KEXEC_PROBE_SCRIPT under ${shell.name}`, () => {
    const probe = (mark: string | undefined) => {
      rmSync(join(work, "nixos-via-kexec"), { recursive: true, force: true });
      if (mark !== undefined) {
        mkdirSync(join(work, "nixos-via-kexec"));
        writeFileSync(join(work, "nixos-via-kexec", "switching"), mark);
      }
      const r = runScript(shell, script, "nixos-via-kexec-probe", [], { env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" } });
      expect(r.status, r.stderr).toBe(0);
      return parseKexecFacts(r.stdout);
    };
    const now = () => Math.floor(Date.now() / 1000);

    it("reports a switch that an earlier run started moments ago", () => {
      expect(probe(`${now() - 3}\n`).kexecSwitching).toBe(true);
    });
    it("ignores no mark, a mark older than a minute, and a mark that holds no time", () => {
      expect(probe(undefined).kexecSwitching).toBeUndefined();
      expect(probe(`${now() - 120}\n`).kexecSwitching).toBeUndefined();
      expect(probe("garbage\n").kexecSwitching).toBeUndefined();
      expect(probe(undefined).uploadDir).toBe(work);
    });
  });
}
