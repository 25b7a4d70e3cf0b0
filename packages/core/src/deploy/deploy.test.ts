import { formatPlan } from "../pipeline/formatPlan.js";
import { err, errAsync, okAsync, ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { TransportError } from "../errors/index.js";
import type { ExecOptions, Target } from "../target/Target.js";
import type { TargetFacts } from "../target/TargetFacts.js";
import { diffClosures, formatClosureDiff, splitName } from "./diffClosures.js";
import { parseGenerations, planGc, type GenerationInfo } from "./generations.js";
import { planDeploy } from "./planDeploy.js";
import { planRollback } from "./planRollback.js";
import { switchDetached } from "./switchDetached.js";

const P = (hash: string, name: string) => `/nix/store/${hash.repeat(32).slice(0, 32)}-${name}`;
const facts = (over: Partial<TargetFacts> = {}): TargetFacts => ({
  machine: "x86_64",
  hasNixDb: true,
  registered: new Set(),
  staged: new Set(),
  filesystems: new Set(),
  kernelFeatures: new Set(),
  generations: [
    { number: 1, toplevel: P("a", "nixos-system-1") },
    { number: 2, toplevel: P("b", "nixos-system-2") },
  ],
  currentGeneration: 2,
  tools: new Set(["tar", "nix-store", "unshare", "chroot", "mount"]),
  ...over,
});

describe("diffClosures", () => {
  it("lists added and removed paths with sizes, and version changes by package name", () => {
    const before = [{ path: P("1", "openssl-3.0.1"), narSize: 100 }, { path: P("2", "bash-5.2"), narSize: 50 }, { path: P("3", "motd"), narSize: 1 }];
    const after = [{ path: P("4", "openssl-3.0.2"), narSize: 120 }, { path: P("2", "bash-5.2"), narSize: 50 }, { path: P("5", "hello-2.12"), narSize: 10 }];
    const diff = diffClosures(before, after);
    expect(diff.added.map((p) => p.path)).toEqual([P("4", "openssl-3.0.2"), P("5", "hello-2.12")].sort());
    expect(diff.removed.map((p) => p.path).sort()).toEqual([P("1", "openssl-3.0.1"), P("3", "motd")].sort());
    expect(diff.addedBytes).toBe(130);
    expect(diff.removedBytes).toBe(101);
    expect(diff.versions).toEqual([
      { name: "hello", before: [], after: ["2.12"], sizeDelta: 10 },
      { name: "motd", before: [""], after: [], sizeDelta: -1 },
      { name: "openssl", before: ["3.0.1"], after: ["3.0.2"], sizeDelta: 20 },
    ]);
    expect(formatClosureDiff(diff)).toContain("openssl: 3.0.1 → 3.0.2, +20 B");
    expect(formatClosureDiff(diff)).toContain("motd: ε → ∅");
  });

  it("splits names at the first dash followed by a digit, as diff-closures does", () => {
    expect(splitName(P("x", "python3.11-requests-2.31.0"))).toEqual({ name: "python3.11-requests", version: "2.31.0" });
    expect(splitName(P("x", "etc"))).toEqual({ name: "etc", version: "" });
  });
});

describe("generations and gc", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  const gen = (number: number, daysOld: number, current = false): GenerationInfo => ({
    number, date: new Date(now.getTime() - daysOld * 86_400_000), toplevel: P(String(number), "system"), closureBytes: 1, current,
  });

  it("parses the script's output: dates, closure sizes, the current one", () => {
    const out = [
      "current system-2-link",
      `generation system-1-link 1795600000 ${P("a", "s1")}`,
      P("a", "s1"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "100", "", "0",
      P("c", "lib"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "23", "", "0",
      "end",
      `generation system-2-link 1795700000 ${P("b", "s2")}`,
      P("b", "s2"), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "7", "", "0",
      "end",
    ].join("\n");
    const list = parseGenerations(out)._unsafeUnwrap();
    expect(list.map((g) => [g.number, g.closureBytes, g.current, g.date.getTime() / 1000])).toEqual([
      [1, 123, false, 1795600000],
      [2, 7, true, 1795700000],
    ]);
  });

  it("--keep N counts the current generation first, never removes it", () => {
    const gens = [gen(1, 40, true), gen(2, 20), gen(3, 10), gen(4, 1)];
    const live = { root: "/", capabilities: { root: true, remote: true, hostNix: false, running: true } };
    const mnt = { root: "/mnt", capabilities: { root: true, remote: false, hostNix: true, running: false } };
    expect(planGc(live, gens, { keep: 1, now }).remove.map((g) => g.number)).toEqual([4, 3, 2]);
    expect(planGc(live, gens, { keep: 2, now }).remove.map((g) => g.number)).toEqual([3, 2]);
    expect(planGc(live, gens, { olderThanDays: 15, now }).remove.map((g) => g.number)).toEqual([2]);
    const { steps } = planGc(mnt, gens, { keep: 3, now });
    expect(steps.map((s) => s.argv.slice(0, 3))).toEqual([["rm", "-f", "/mnt/nix/var/nix/profiles/system-2-link"], ["sh", "-c", expect.any(String)]]);
    expect(steps[1]!.argv[2]).toContain('ln -sfn /nix/var/nix/profiles "$root/nix/var/nix/gcroots/profiles"');
    // A tree on this machine is collected by this machine's Nix, never by the root's own.
    expect(steps[1]!.env).toMatchObject({ NIXOS_VIA_NIX_STORE: "host" });
    expect(planGc(live, gens, { keep: 3, now }).steps.at(-1)!.env).not.toHaveProperty("NIXOS_VIA_NIX_STORE");
  });
});

describe("planRollback and planDeploy", () => {
  it("rolls back to the generation below the current one", () => {
    const target = { uri: "ssh://web", root: "/", capabilities: { root: true, remote: true, hostNix: false, running: true } };
    const plan = planRollback({ target, facts: facts({ generations: [{ number: 1, toplevel: P("a", "s1") }, { number: 3, toplevel: P("c", "s3") }, { number: 4, toplevel: P("d", "s4") }], currentGeneration: 4 }) })._unsafeUnwrap();
    expect([plan.from.number, plan.to.number, plan.back.number]).toEqual([4, 3, 4]);
    expect(plan.steps[0]).toMatchObject({ kind: "run", argv: ["ln", "-sfn", "system-3-link", "/nix/var/nix/profiles/system"] });
    // A running system then switches to it, detached, and can come back to generation 4.
    expect(plan.steps[1]).toMatchObject({ kind: "switch", action: "switch", toplevel: P("c", "s3"), previous: { toplevel: P("d", "s4"), link: "system-4-link" }, magicRollback: true });
    expect(planRollback({ target, facts: facts({ currentGeneration: 1 }) }).isErr()).toBe(true);
  });

  it("a live deploy needs Nix on the target, switches detached, and remembers what to return to", async () => {
    const system = { toplevel: P("n", "nixos-system-3"), system: "x86_64-linux", closure: { root: P("n", "nixos-system-3"), paths: [] } };
    const target = { uri: "ssh://web", root: "/", capabilities: { root: true, remote: true, hostNix: false, running: true } };
    const plan = planDeploy({ system, target, facts: facts(), healthChecks: ["true"] })._unsafeUnwrap();
    const switched = plan.steps.at(-1);
    expect(switched).toMatchObject({ kind: "switch", action: "switch", magicRollback: true, confirmTimeoutS: 30, healthChecks: ["true"], healthTimeoutS: 60 });
    expect(plan.generation).toBe(3);
    expect(switched).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
    const test = planDeploy({ system, target, facts: facts(), action: "test" })._unsafeUnwrap();
    expect(test.steps.some((s) => s.phase === "profile")).toBe(false);
    expect(test.steps.at(-1)).toMatchObject({ kind: "switch", previous: { link: undefined } });
    // boot and dry-activate have nothing to confirm.
    expect(planDeploy({ system, target, facts: facts(), action: "boot" })._unsafeUnwrap().steps.at(-1)).toMatchObject({ kind: "switch", magicRollback: false });
    const stored = { ...target, uri: "dir:/r", root: "/r", capabilities: { ...target.capabilities, running: false } };
    expect(planDeploy({ system, target: stored, facts: facts({ tools: new Set(["tar"]) }), healthChecks: ["true"] })._unsafeUnwrapErr().message).toMatch(/health checks need a running system/);
    await expect(formatPlan(plan)).toMatchFileSnapshot("../../test/__golden__/deploy-ssh-switch.plan.txt");
    const noNix = planDeploy({ system, target, facts: facts({ tools: new Set(["tar"]) }) });
    expect(noNix.isErr() && noNix.error.message).toMatch(/runs no Nix/);
  });
});

describe("what a failed switch returns to, when the profile and the running system disagree", () => {
  const live = { uri: "ssh://web", root: "/", capabilities: { root: true, remote: true, hostNix: false, running: true } };
  const NEW = P("n", "nixos-system-3");
  const system = { toplevel: NEW, system: "x86_64-linux", closure: { root: NEW, paths: [] } };
  const switchOf = (plan: { steps: readonly { kind: string }[] }) => plan.steps.find((s) => s.kind === "switch");
  // A first run cut after its profile step: system-3-link is the new system, the profile
  // points at it, and generation 2 still runs.
  const cut = facts({
    generations: [...facts().generations, { number: 3, toplevel: NEW }],
    currentGeneration: 3,
    runningSystem: P("b", "nixos-system-2"),
  });

  it("a rerun reuses the generation the cut run made, and goes back to the running system and its generation", () => {
    const plan = planDeploy({ system, target: live, facts: cut })._unsafeUnwrap();
    expect(plan.generation).toBe(3);
    expect(plan.steps.some((s) => s.phase === "profile")).toBe(false);
    expect(switchOf(plan)).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
    // boot activates nothing: it goes back to the profile's generation, here the new system, so to the running one.
    expect(switchOf(planDeploy({ system, target: live, facts: cut, action: "boot" })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
    expect(switchOf(planDeploy({ system, target: live, facts: cut, action: "test" })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: undefined } });
  });

  it("after a boot deploy, switch goes back to what runs and boot to what the bootloader was to start", () => {
    const booted = facts({ generations: [...facts().generations, { number: 3, toplevel: P("c", "nixos-system-3") }], currentGeneration: 3, runningSystem: P("b", "nixos-system-2") });
    const other = { ...system, toplevel: P("d", "nixos-system-4") };
    expect(switchOf(planDeploy({ system: other, target: live, facts: booted })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
    expect(switchOf(planDeploy({ system: other, target: live, facts: booted, action: "boot" })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("c", "nixos-system-3"), link: "system-3-link" } });
  });

  it("a running system in no generation is gone back to, the profile to the newest generation that is not the new one", () => {
    const tested = P("t", "nixos-system-tested");
    expect(switchOf(planDeploy({ system, target: live, facts: { ...cut, runningSystem: tested } })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: tested, link: "system-2-link" } });
    // Already running the new system (a test deploy before): the profile's generation, as ever.
    expect(switchOf(planDeploy({ system, target: live, facts: facts({ runningSystem: NEW }) })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
  });

  it("a rerun after a switch that finished goes back to the generation before, never to the new system itself", () => {
    // The first run switched (profile and running system are the new one) and was cut
    // before its health checks answered: a failing check on the rerun must return to
    // generation 2, not "roll back" to the system that failed it.
    const finished = { ...cut, runningSystem: NEW };
    expect(switchOf(planDeploy({ system, target: live, facts: finished })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
    expect(switchOf(planDeploy({ system, target: live, facts: finished, action: "boot" })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
    // A generation after the profile's (rolled back from earlier) is not taken before the ones below it.
    const later = { ...finished, generations: [...finished.generations, { number: 4, toplevel: P("e", "nixos-system-4") }] };
    expect(switchOf(planDeploy({ system, target: live, facts: later })._unsafeUnwrap())).toMatchObject({ previous: { toplevel: P("b", "nixos-system-2") } });
    // The new system in every generation: nothing to go back to, so no way back is claimed.
    const only = facts({ generations: [{ number: 1, toplevel: NEW }], currentGeneration: 1, runningSystem: NEW });
    expect(switchOf(planDeploy({ system, target: live, facts: only })._unsafeUnwrap())).toMatchObject({ previous: undefined });
  });

  it("rollback from the cut run's generation comes back to the running system, never to the one that never ran", () => {
    const plan = planRollback({ target: live, facts: cut })._unsafeUnwrap();
    expect([plan.from.number, plan.to.number, plan.back.number]).toEqual([3, 2, 2]);
    expect(plan.steps[1]).toMatchObject({ toplevel: P("b", "nixos-system-2"), previous: { toplevel: P("b", "nixos-system-2"), link: "system-2-link" } });
  });
});

/** A target that answers the switch scripts from a scripted list of follow states. */
function fakeTarget(states: (string | "hang")[]): { target: Target; commands: string[] } {
  const commands: string[] = [];
  const target: Target = {
    uri: "ssh://fake",
    root: "/",
    capabilities: { root: true, remote: true, hostNix: false, running: true },
    exec: (argv: readonly string[], o: ExecOptions = {}) => {
      const name = argv[3] ?? argv[0]!;
      commands.push(name);
      if (name === "nixos-via-switch-start") return okAsync({ exitCode: 0, stdout: "started\n", stderr: "" });
      if (name === "nixos-via-switch-follow") {
        const state = states.shift();
        if (state === "hang" || state === undefined) {
          return new Promise<never>(() => {}).then() as never as ReturnType<Target["exec"]>;
        }
        o.onStdout?.(new TextEncoder().encode("switching\n"));
        return okAsync({ exitCode: 0, stdout: "switching\n", stderr: `nixos-via-state=${state}\n` });
      }
      return okAsync({ exitCode: 0, stdout: "", stderr: "" });
    },
    close: () => okAsync(undefined),
    reconnect: () => okAsync(undefined),
  };
  return { target, commands };
}

/** A health check `sleep 600` that runs until its signal stops it; records what the target was told. */
function hangingCheck({ target, commands }: ReturnType<typeof fakeTarget>) {
  const calls: { checkSignal?: AbortSignal | undefined; rollbackReason?: string | undefined; startArgv: readonly string[] } = { startArgv: [] };
  const exec = target.exec;
  target.exec = (argv, o = {}) => {
    if (argv[3] === "nixos-via-switch-start") calls.startArgv = argv;
    if (argv[3] === "nixos-via-rollback") calls.rollbackReason = argv[5];
    if (argv[2] !== "sleep 600") return exec(argv, o);
    calls.checkSignal = o.signal;
    return new ResultAsync(
      new Promise((resolve) => o.signal?.addEventListener("abort", () => resolve(err(new TransportError("the command was stopped"))), { once: true })),
    );
  };
  return { target, commands, calls };
}

describe("switchDetached", () => {
  it("starts, follows to the status, confirms over a new connection, then reads the outcome", async () => {
    const { target, commands } = fakeTarget(["0", "confirmed"]);
    let reconnects = 0;
    target.reconnect = () => {
      reconnects++;
      return okAsync(undefined);
    };
    const lines: string[] = [];
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t", onOutput: (l) => lines.push(l) });
    expect(outcome._unsafeUnwrap()).toEqual({ kind: "confirmed" });
    expect(reconnects).toBe(1);
    expect(commands).toEqual(["nixos-via-switch-start", "nixos-via-switch-follow", "touch", "nixos-via-switch-follow"]);
    expect(lines).toEqual(["switching", "switching"]);
  });

  it("reports a rollback the target made", async () => {
    const { target } = fakeTarget(["0", "rolled-back no confirmation within 30s"]);
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t" });
    expect(outcome._unsafeUnwrap()).toEqual({ kind: "rolled-back", cause: { kind: "not-confirmed", timeoutS: 30 }, log: ["switching", "switching"] });
  });

  it("a failing health check asks the target to roll back", async () => {
    const { target, commands } = fakeTarget(["0", "rolled-back health check failed: false"]);
    const exec = target.exec;
    target.exec = (argv, o) => (argv[2] === "false" ? okAsync({ exitCode: 1, stdout: "", stderr: "" }) : exec(argv, o));
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), healthChecks: ["false"], id: "t" });
    expect(outcome._unsafeUnwrap()).toMatchObject({ kind: "rolled-back", cause: { kind: "health-check-failed", check: "false", exitCode: 1 } });
    expect(commands).toContain("nixos-via-rollback");
    expect(commands).not.toContain("touch");
  });

  it("a rollback whose own switch failed is rollback-failed, with its exit code and the log tail", async () => {
    const { target } = fakeTarget(["0", "rollback-failed 3 no confirmation within 30s"]);
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t" });
    expect(outcome._unsafeUnwrap()).toEqual({ kind: "rollback-failed", exitCode: 3, cause: { kind: "not-confirmed", timeoutS: 30 }, log: ["switching", "switching"] });
  });

  it("no previous generation is its own outcome, with the switch's exit code as its cause", async () => {
    const { target } = fakeTarget(["4", "no-previous-generation switch-to-configuration switch failed with exit code 4"]);
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), id: "t" });
    expect(outcome._unsafeUnwrap()).toMatchObject({ kind: "no-previous-generation", cause: { kind: "switch-failed", exitCode: 4 } });
  });

  it("an outcome it cannot read is an error, not a success", async () => {
    const { target } = fakeTarget(["0", "exploded"]);
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t" });
    expect(outcome.isErr() && outcome.error.code).toBe("SWITCH_FOLLOW");
  });

  it("a health check past its timeout is stopped on the target and rolls back", async () => {
    const { target, commands, calls } = hangingCheck(fakeTarget(["0", "rolled-back health check timed out after 0.05s: sleep 600"]));
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), healthChecks: ["sleep 600"], healthTimeoutS: 0.05, confirmTimeoutS: 30, id: "t" });
    expect(outcome._unsafeUnwrap()).toMatchObject({ kind: "rolled-back", cause: { kind: "health-check-timed-out", check: "sleep 600", timeoutS: 0.05 } });
    expect(calls.checkSignal?.aborted).toBe(true);
    expect(calls.rollbackReason).toBe("health check timed out after 0.05s: sleep 600");
    expect(commands).not.toContain("touch");
    // The target outwaits the checks: confirm timeout plus one health timeout per check.
    expect(calls.startArgv.at(-2)).toBe("31");
  });

  it("Ctrl-C during a health check stops it, rolls back, and reports that", async () => {
    const { target, calls } = hangingCheck(fakeTarget(["0", "rolled-back the deployer was stopped (Ctrl-C) during the health checks"]));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), healthChecks: ["sleep 600"], id: "t", signal: controller.signal });
    expect(outcome._unsafeUnwrap()).toMatchObject({ kind: "rolled-back", cause: { kind: "aborted", check: "sleep 600" } });
    expect(calls.checkSignal?.aborted).toBe(true);
    expect(calls.rollbackReason).toMatch(/stopped \(Ctrl-C\)/);
  });

  it("a confirmation that could not be written is reported as confirm-failed", async () => {
    const { target, commands } = fakeTarget(["0", "rolled-back no confirmation within 30s"]);
    const exec = target.exec;
    target.exec = (argv, o) => (argv[0] === "touch" ? okAsync({ exitCode: 1, stdout: "", stderr: "touch: cannot touch: Read-only file system\n" }) : exec(argv, o));
    const notes: string[] = [];
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t", onNote: (n) => notes.push(n) });
    expect(outcome._unsafeUnwrap()).toMatchObject({ kind: "rolled-back", cause: { kind: "confirm-failed", message: "touch: cannot touch: Read-only file system" } });
    expect(notes.some((n) => n.startsWith("could not confirm (touch: cannot touch"))).toBe(true);
    expect(commands).not.toContain("nixos-via-rollback");
  });

  it("a confirmation lost with the connection is confirm-failed too, unless the target saw it", async () => {
    const lost = fakeTarget(["0", "rolled-back no confirmation within 30s"]);
    const exec = lost.target.exec;
    lost.target.exec = (argv, o) => (argv[0] === "touch" ? errAsync(new TransportError("the SSH connection was lost before the command ended")) : exec(argv, o));
    const outcome = await switchDetached(lost.target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t" });
    expect(outcome._unsafeUnwrap()).toMatchObject({ kind: "rolled-back", cause: { kind: "confirm-failed", message: "the SSH connection was lost before the command ended" } });

    const seen = fakeTarget(["0", "confirmed"]);
    const exec2 = seen.target.exec;
    seen.target.exec = (argv, o) => (argv[0] === "touch" ? errAsync(new TransportError("lost")) : exec2(argv, o));
    expect((await switchDetached(seen.target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t" }))._unsafeUnwrap()).toEqual({ kind: "confirmed" });
  });

  it("reconnects after a dropped follow and carries on", async () => {
    const { target } = fakeTarget(["0", "done"]);
    const exec = target.exec;
    let dropped = false;
    target.exec = (argv, o) => {
      if (argv[3] === "nixos-via-switch-follow" && !dropped) {
        dropped = true;
        return errAsync(new TransportError("the SSH connection was lost before the command ended"));
      }
      return exec(argv, o);
    };
    const notes: string[] = [];
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), id: "t", onNote: (n) => notes.push(n) });
    expect(outcome._unsafeUnwrap()).toEqual({ kind: "done" });
    expect(notes.some((n) => n.includes("reconnecting"))).toBe(true);
  });

  it("stops waiting on abort and says the switch goes on", async () => {
    const { target } = fakeTarget(["hang"]);
    const exec = target.exec;
    target.exec = (argv, o = {}) =>
      argv[3] === "nixos-via-switch-follow"
        ? (new Promise((resolve) => o.signal?.addEventListener("abort", () => resolve(undefined))).then(() =>
            errAsync(new TransportError("the command was stopped")),
          ) as never)
        : exec(argv, o);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const outcome = await switchDetached(target, { action: "switch", toplevel: P("n", "s"), magicRollback: true, id: "t", signal: controller.signal });
    expect(outcome.isErr() && outcome.error.code).toBe("ABORTED");
    expect(outcome.isErr() && outcome.error.message).toMatch(/goes on there and, unconfirmed, rolls back/);
  });
});
