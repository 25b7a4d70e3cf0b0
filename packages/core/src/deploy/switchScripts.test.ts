import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TARGET_SHELLS } from "../../test/support/targetShells.js";
import { SWITCH_FOLLOW_SCRIPT, SWITCH_ROLLBACK_REQUEST_SCRIPT, SWITCH_RUN_SCRIPT, SWITCH_START_SCRIPT } from "./switchScripts.js";

// The target-side scripts, run by the shells targets really have. A temp dir stands in for
// the root: fake toplevels whose switch-to-configuration exits as told, a fake profile.
const SHELLS = TARGET_SHELLS.filter((s) => s.available).map(({ name, argv }) => ({ shell: name, argv }));

describe.each(SHELLS)("SWITCH_RUN_SCRIPT under $shell", ({ argv }) => {
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

// Where systemd runs, the start script hands the switch to systemd-run: not on a test machine.
const withoutSystemd = !existsSync("/run/systemd/system");

describe.each(SHELLS)("SWITCH_START_SCRIPT and SWITCH_FOLLOW_SCRIPT under $shell", ({ argv }) => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "nixos-via-switch-start-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const sh = (script: string, name: string, args: string[], input = "") =>
    spawnSync(argv[0]!, [...argv.slice(1), "-c", script, name, ...args], { encoding: "utf8", input });

  it.skipIf(!withoutSystemd)("starts the run script detached (setsid), and following its log ends with its outcome", () => {
    const dir = join(root, "switch-1");
    const toplevel = join(root, "new");
    mkdirSync(join(toplevel, "bin"), { recursive: true });
    writeFileSync(join(toplevel, "bin/switch-to-configuration"), "#!/bin/sh\necho \"switching: $1\"\n", { mode: 0o755 });
    const args = [dir, "test", toplevel, "", "", "0", "0", join(root, "profile")];
    const started = sh(SWITCH_START_SCRIPT, "nixos-via-switch-start", args, SWITCH_RUN_SCRIPT);
    expect(started.status, started.stderr).toBe(0);
    expect(started.stdout).toBe("started\n");
    expect(readFileSync(join(dir, "run.sh"), "utf8")).toBe(SWITCH_RUN_SCRIPT);

    // The follower waits for the outcome however long the switch takes, printing the log.
    const followed = sh(SWITCH_FOLLOW_SCRIPT, "nixos-via-switch-follow", [dir, "0", "outcome"]);
    expect(followed.status, followed.stderr).toBe(0);
    expect(followed.stderr).toBe("nixos-via-state=done\n");
    expect(followed.stdout).toBe(readFileSync(join(dir, "log"), "utf8"));
    expect(followed.stdout).toContain("switching: test\n");
    expect(readFileSync(join(dir, "status"), "utf8")).toBe("0\n");
  });

  it("follows from an offset: after a dropped connection only the rest of the log comes again", () => {
    const dir = join(root, "switch-2");
    mkdirSync(dir);
    writeFileSync(join(dir, "log"), "first line\nsecond line\n");
    writeFileSync(join(dir, "status"), "4\n");
    const r = sh(SWITCH_FOLLOW_SCRIPT, "nixos-via-switch-follow", [dir, String("first line\n".length), "status"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("second line\n");
    expect(r.stderr).toBe("nixos-via-state=4\n");
  });
});

it("finds at least one of the target shells here", () => {
  expect(SHELLS.length).toBeGreaterThan(0);
});
