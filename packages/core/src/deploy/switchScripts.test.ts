import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SWITCH_ROLLBACK_REQUEST_SCRIPT, SWITCH_RUN_SCRIPT } from "./switchScripts.js";

// The target-side scripts, run by the shells targets really have. A temp dir stands in for
// the root: fake toplevels whose switch-to-configuration exits as told, a fake profile.
const SHELLS = [["dash"], ["busybox", "sh"]].filter((argv) => spawnSync(argv[0]!, [...argv.slice(1), "-c", "true"]).status === 0);

describe.each(SHELLS.map((argv) => ({ shell: argv.join(" "), argv })))("SWITCH_RUN_SCRIPT under $shell", ({ argv }) => {
  let root: string;
  let dir: string;
  let profile: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "nixos-via-switch-"));
    dir = join(root, "run");
    profile = join(root, "profiles", "system");
    mkdirSync(dir);
    mkdirSync(join(root, "profiles"));
    symlinkSync("system-2-link", profile);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A toplevel whose switch-to-configuration logs its action and exits with `exitCode`. */
  const toplevel = (name: string, exitCode: number) => {
    mkdirSync(join(root, name, "bin"), { recursive: true });
    const stc = join(root, name, "bin", "switch-to-configuration");
    writeFileSync(stc, `#!/bin/sh\necho "${name} $1" >> "${root}/calls"\nexit ${exitCode}\n`);
    chmodSync(stc, 0o755);
    return join(root, name);
  };
  const run = (o: { action?: string; next: string; previous: string; link?: string; verdict?: boolean; timeout?: number }) => {
    const args = [dir, o.action ?? "switch", o.next, o.previous, o.link ?? "system-2-link", o.verdict ? "1" : "0", String(o.timeout ?? 0), profile];
    const r = spawnSync(argv[0]!, [...argv.slice(1), "-c", SWITCH_RUN_SCRIPT, "run.sh", ...args], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return { outcome: readFileSync(join(dir, "outcome"), "utf8").trim(), log: r.stdout, calls: readFileSync(join(root, "calls"), "utf8").trim().split("\n") };
  };

  it("a failed switch with a working way back is rolled-back, the profile restored", () => {
    const r = run({ next: toplevel("new", 4), previous: toplevel("old", 0), link: "system-1-link" });
    expect(r.outcome).toBe("rolled-back switch-to-configuration switch failed with exit code 4");
    expect(r.calls).toEqual(["new switch", "old switch"]);
    expect(readlinkSync(profile)).toBe("system-1-link");
  });

  it("a rollback whose own switch fails is rollback-failed with that exit code, not rolled-back", () => {
    writeFileSync(join(dir, "rollback"), "health check failed: curl -fs localhost\n");
    const r = run({ next: toplevel("new", 0), previous: toplevel("old", 3), verdict: true, timeout: 5 });
    expect(r.outcome).toBe("rollback-failed 3 health check failed: curl -fs localhost");
    expect(r.log).toContain("rolling back failed with exit code 3");
  });

  it("a profile link that cannot be restored fails the rollback too", () => {
    rmSync(join(root, "profiles"), { recursive: true });
    writeFileSync(join(root, "profiles"), "not a folder");
    const r = run({ next: toplevel("new", 1), previous: toplevel("old", 0), link: "system-1-link" });
    expect(r.outcome).toMatch(/^rollback-failed [1-9]\d* switch-to-configuration switch failed with exit code 1$/);
    expect(r.calls).toEqual(["new switch", "old switch"]);
  });

  it("no previous generation is its own outcome, after a failed switch or a negative verdict", () => {
    expect(run({ next: toplevel("new", 2), previous: "" }).outcome).toBe("no-previous-generation switch-to-configuration switch failed with exit code 2");
    rmSync(join(dir, "outcome"));
    expect(run({ next: toplevel("new2", 0), previous: "", verdict: true, timeout: 0 }).outcome).toBe("no-previous-generation no confirmation within 0s");
    expect(readlinkSync(profile)).toBe("system-2-link");
  });

  it("a failed dry-activate is unchanged: there is nothing to undo", () => {
    const r = run({ action: "dry-activate", next: toplevel("new", 5), previous: toplevel("old", 0), link: "" });
    expect(r.outcome).toBe("unchanged switch-to-configuration dry-activate failed with exit code 5");
    expect(r.calls).toEqual(["new dry-activate"]);
  });

  it("a confirmation keeps the new generation", () => {
    writeFileSync(join(dir, "confirmed"), "");
    const r = run({ next: toplevel("new", 0), previous: toplevel("old", 0), verdict: true, timeout: 5 });
    expect(r.outcome).toBe("confirmed");
    expect(r.calls).toEqual(["new switch"]);
  });

  it("the rollback request arrives whole, backslashes and quotes as written", () => {
    const reason = String.raw`health check failed: grep -q 'a\|b' "$f" \n`;
    const r = spawnSync(argv[0]!, [...argv.slice(1), "-c", SWITCH_ROLLBACK_REQUEST_SCRIPT, "nixos-via-rollback", dir, reason], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "rollback"), "utf8")).toBe(`${reason}\n`);
    const back = run({ next: toplevel("new", 0), previous: toplevel("old", 0), verdict: true, timeout: 5 });
    expect(back.outcome).toBe(`rolled-back ${reason}`);
  });
});

it("finds at least one of the target shells here", () => {
  expect(SHELLS.length).toBeGreaterThan(0);
});
