import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runScript, TARGET_SHELLS } from "../../test/support/targetShells.js";
import { CONTAINER_SCRIPT } from "./containerScript.js";

// The container script's bookkeeping, under the shells targets have; booting a container
// (root, namespaces) is test/integration/container.test.ts.
const PATH = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" };

describe.each(TARGET_SHELLS.filter((s) => s.available))("CONTAINER_SCRIPT under $name", (shell) => {
  let parent: string;
  let root: string;
  let state: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), "nixos-via-container-"));
    root = join(parent, "web");
    state = join(parent, ".web.container");
    mkdirSync(root);
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));
  const run = (...args: string[]) => runScript(shell, CONTAINER_SCRIPT, "nixos-via-container", args, { env: PATH });

  it("says a root that never ran is absent, stops nothing, finds no init", () => {
    expect(run("status", root, "5").stdout).toBe(`state=absent\nroot=${root}\nstatedir=${state}\nconsole:\n`);
    expect(run("stop", root, "1").stdout).toBe("state=absent\n");
    const pid = run("pid", root);
    expect(pid.status).toBe(1);
    expect(pid.stderr).toContain("does not run as a container");
  });

  it("takes a recorded PID whose start time differs for a dead init, and shows the console", () => {
    mkdirSync(state);
    // PID 1 of this machine runs, but with another start time: not our init.
    writeFileSync(join(state, "pid"), "1 1\n");
    writeFileSync(join(state, "exit"), "137\n");
    writeFileSync(join(state, "toplevel"), "/nix/store/x-1\n");
    writeFileSync(join(state, "console.log"), "a\nb\nc\n");
    const s = run("status", root, "2").stdout;
    expect(s).toContain("state=exited\n");
    expect(s).toContain("exit=137\n");
    expect(s).not.toContain("pid=");
    expect(s.endsWith("console:\nb\nc\n")).toBe(true);
    expect(run("logs", root, "all", "0").stdout).toBe("a\nb\nc\n");
    expect(run("logs", root, "1", "1").stdout).toBe("c\n");
  });

  it("refuses to start a root without a system, this machine's /, and a bad NET", () => {
    const none = run("start", root, "private");
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("holds no system to boot");
    expect(run("start", "/", "host").stderr).toContain("this machine's own root");
    mkdirSync(join(root, "nix/var/nix/profiles"), { recursive: true });
    symlinkSync("/nix/store/none", join(root, "nix/var/nix/profiles/system"));
    expect(run("start", root, "bridge").stderr).toContain("NET is private or host");
    expect(run("start", root, "host", "10.0.0.2/24", "10.0.0.1/24").stderr).toContain("needs the container's own network");
    expect(() => readFileSync(join(state, "pid"))).toThrow();
  });
});
