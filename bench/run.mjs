#!/usr/bin/env node
// The transfer benchmark (issue 6): nixos-via against nix copy, nix-copy-closure and a
// bare tar | zstd | ssh pipe, on a realistic closure built by Nix, over emulated links.
// Usage: bash bench/run.sh [--quick] [--runs-unshaped N] [--runs-shaped N]
//        [--links loopback,40ms,100ms] [--contenders a,b] [--phases fresh,next,mass]
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { cpus, totalmem } from "node:os";
import { startLink } from "./lib/link.mjs";
import { startRssSampler } from "./lib/rss.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
const argv = process.argv.slice(2);
const flag = (n) => argv.includes(n);
const opt = (n, d) => { const i = argv.indexOf(n); return i >= 0 ? argv[i + 1] : d; };
const quick = flag("--quick");
const runsUnshaped = Number(opt("--runs-unshaped", quick ? 1 : 3));
const runsShaped = Number(opt("--runs-shaped", 1));
const LINKS = {
  loopback: { name: "loopback", rttMs: 0, mbit: 0 },
  "40ms": { name: "40 ms / 100 Mbit/s", rttMs: 40, mbit: 100 },
  "100ms": { name: "100 ms / 20 Mbit/s", rttMs: 100, mbit: 20 },
};
const linkKeys = opt("--links", "loopback,40ms,100ms").split(",");
const ALL = ["nixos-via", "nixos-via-no-delta", "nix-copy-ssh", "nix-copy-ssh-compress", "nix-copy-ssh-ng", "nix-copy-closure-gzip", "tar-zstd-ssh"];
const contenders = opt("--contenders", ALL.join(",")).split(",");
const phases = opt("--phases", "fresh,next,mass,changed").split(",");
// The slowest contenders on the slowest link would take most of the budget for the
// mass rebuild; --skip lists link:contender:phase triples to leave out (default: none).
const skip = new Set(opt("--skip", "").split(",").filter(Boolean));
// Without --full, what keeps the default run near 25 minutes on 2 cores: repeated
// unshaped runs measure only the fresh copy of nixos-via, the fastest nix copy there
// (ssh://, uncompressed) and the bare pipe; at 40 ms nix-copy-closure --gzip (in Nix 2.8
// the same protocol as ssh://…&compress=true) skips the mass rebuild; the 100 ms /
// 20 Mbit/s link (where moving 650 MiB uncompressed takes 5 min per copy) runs nixos-via,
// the bare pipe and the fastest nix variant there (compress=true), fresh copy and next
// generation only.
const full = flag("--full");
function planned(lk, c, ph, i) {
  if (full) return true;
  if (i > 0 && !LINKS[lk].mbit && (ph !== "fresh" || !["nixos-via", "nixos-via-baseline", "nix-copy-ssh", "tar-zstd-ssh"].includes(c))) return false;
  if (lk === "40ms" && c === "nix-copy-closure-gzip" && (ph === "mass" || ph === "changed")) return false;
  if (ph === "changed" && !["nixos-via", "nixos-via-no-delta", "nixos-via-baseline", "nix-copy-ssh-ng", "tar-zstd-ssh"].includes(c)) return false;
  if (lk === "100ms" && (ph === "mass" || !["nixos-via", "tar-zstd-ssh", "nix-copy-ssh-compress"].includes(c))) return false;
  return true;
}
const cache = process.env.BENCH_CACHE ?? "/var/tmp/nixos-via-bench";
// Some VMs run a DAMON scheme that pages out memory idle for a while, file cache included
// (seen here: kdamond.0, action pageout, pages idle 12 × 5 s): the store paths a phase
// reads are then read from disk again in every run that follows a minute later, and a
// phase's first run (which reads what the runs before did not) pays most. The bench says
// whether such a scheme ran; `echo off > /sys/kernel/mm/damon/admin/kdamonds/N/state` stops it.
const pageout = (() => {
  const root = "/sys/kernel/mm/damon/admin/kdamonds";
  try {
    const on = readdirSync(root).filter((n) => /^\d+$/.test(n)).some((n) => {
      const state = readFileSync(join(root, n, "state"), "utf8").trim();
      const schemes = join(root, n, "contexts/0/schemes");
      const actions = existsSync(schemes) ? readdirSync(schemes).filter((x) => /^\d+$/.test(x)).map((x) => readFileSync(join(schemes, x, "action"), "utf8").trim()) : [];
      return state === "on" && actions.includes("pageout");
    });
    return on ? "on" : "off";
  } catch { return "none"; }
})();
if (pageout === "on") console.error("bench: DAMON pages out idle file cache on this machine; runs after the first read the store from disk (see bench/run.mjs)");
const NIX_CONFIG = "build-users-group =\nexperimental-features = nix-command\nsubstituters =";
// NODE_EXTRA_CA_CERTS (this sandbox sets it for its npm proxy; an operator's machine
// seldom does) makes Node parse a CA bundle at every start: 98 vs 28 ms for `node -e`
// here. Every contender runs without it, so nixos-via is not timed for the sandbox's
// certificates.
const { NODE_EXTRA_CA_CERTS: _sandboxCerts, ...inherited } = process.env;
const env = { ...inherited, NIX_CONFIG };

const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

// onLine: called with each stdout line and the ms since the command started, as it arrives.
function run(cmd, args, { input, env: e = env, capture = true, shell = false, onLine } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { env: e, shell, stdio: [input === undefined ? "ignore" : "pipe", capture ? "pipe" : "inherit", "pipe"] });
    let out = "", err = "", partial = "";
    if (capture) p.stdout.on("data", (d) => {
      out += d;
      if (!onLine) return;
      const lines = (partial + d).split("\n"); partial = lines.pop();
      for (const l of lines) onLine(l, performance.now() - t0);
    });
    p.stderr.on("data", (d) => (err += d));
    if (input !== undefined) p.stdin.end(input);
    p.on("close", (code) => resolve({ code, out, err }));
  });
}
async function must(cmd, args, o) {
  const r = await run(cmd, args, o);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.code}): ${r.err.slice(-2000)}`);
  return r.out;
}
const sh = (script, o) => must("bash", ["-c", script], o);

// ---------------------------------------------------------------- the closure
async function buildClosure() {
  const profile = quick ? { paths: 120, mib: 40 } : { paths: 700, mib: 650 };
  const dir = join(cache, `closure-${profile.paths}-${profile.mib}`);
  if (!existsSync(join(dir, "plan.json"))) {
    log(`planning the closure (${profile.paths} paths) in ${dir}`);
    await must("node", [join(here, "closure/plan.mjs"), dir, "--paths", String(profile.paths), "--mib", String(profile.mib)], { capture: false });
  }
  const gens = { g1: ["--argstr", "generation", "1"], g2: ["--argstr", "generation", "2"], g3: ["--argstr", "generation", "2", "--argstr", "rebuild", "1"],
    g4: ["--argstr", "generation", "2", "--argstr", "rebuild", "2", "--argstr", "content", "1"] };
  const tops = {};
  for (const [g, a] of Object.entries(gens)) {
    log(`building ${g} with nix-build (first time: a few minutes)`);
    tops[g] = (await must("nix-build", [join(here, "closure"), "--argstr", "dir", dir, "--no-out-link", "--max-jobs", "2", "--quiet", ...a])).trim();
  }
  const closures = {};
  for (const g of Object.keys(tops)) {
    const info = JSON.parse(await must("nix", ["path-info", "--json", "-r", tops[g]]));
    const list = Array.isArray(info) ? info : Object.entries(info).map(([path, v]) => ({ path, ...v }));
    closures[g] = { paths: list.map((x) => x.path), narBytes: list.reduce((a, x) => a + x.narSize, 0) };
  }
  return { tops, closures };
}

// ---------------------------------------------------------------- ssh target
async function startTarget(work) {
  await sh(`cd ${work} && ssh-keygen -q -t ed25519 -N '' -f client && ssh-keygen -q -t ed25519 -N '' -f host && mkdir -p keys /run/sshd && cp client.pub keys/root`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(join(work, "sshd_config"), [
    `Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${work}/host`, `AuthorizedKeysFile ${work}/keys/%u`,
    `PidFile ${work}/sshd.pid`, "StrictModes no", "PermitRootLogin prohibit-password", "PasswordAuthentication no",
    "KbdInteractiveAuthentication no", "UsePAM no", "MaxStartups 50", "MaxSessions 50",
    // nix-copy-closure has no remote-store option: it gets the target store through NIX_REMOTE.
    "AcceptEnv NIX_REMOTE", "",
  ].join("\n"));
  // A rescue system's root has no shell start-up files; this machine's /root/.bashrc
  // (pyenv init: 100-200 ms, which bash sources for every command run over SSH) is
  // hidden from the target's sshd by a private mount namespace, or every SSH command
  // would pay it.
  writeFileSync(join(work, "empty"), "");
  const sshd = spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c",
    `for f in /root/.bashrc /root/.bash_profile /root/.profile; do [ -e $f ] && mount --bind ${work}/empty $f; done; exec /usr/sbin/sshd -D -e -f ${work}/sshd_config`],
    { stdio: ["ignore", "ignore", "pipe"] });
  let sshdLog = ""; sshd.stderr.on("data", (d) => (sshdLog += d));
  for (let i = 0; i < 50; i++) { if (existsSync(join(work, "sshd.pid"))) break; await new Promise((r) => setTimeout(r, 100)); }
  return { port, sshd, log: () => sshdLog, stop: () => new Promise((r) => { sshd.once("close", r); sshd.kill("SIGTERM"); }) };
}

// ---------------------------------------------------------------- contenders
function sshOpts(ctx, extra = []) {
  return ["-p", String(ctx.link.port), "-i", `${ctx.work}/client`, "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${ctx.work}/known_hosts`,
    "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", ...extra];
}
const nixSshEnv = (ctx, extra = []) => ({ ...env, NIX_SSHOPTS: sshOpts(ctx, extra).join(" ") });
const storeUrl = (scheme, root, more = "") => `${scheme}://root@127.0.0.1?remote-store=local?root=${root}${more}`;

const nixosVia = (label, extra, cliPath = () => cli) => ({
    label,
    rts: (ctx, r) => ctx.rtsConnect + r.execs, // one SSH connection, then one round trip per command
    async run(ctx, top, root) {
      // Where the time goes: the first event (the plan: after start-up, reading the
      // system, connecting and the probe), each step, and the exit after "done".
      const timeline = [];
      const onLine = (l, ms) => { try { const e = JSON.parse(l); if (["plan", "step-start", "step-end", "done"].includes(e.type)) timeline.push({ at: Math.round(ms), type: e.type, phase: e.phase }); } catch { /* not an event */ } };
      const t0 = performance.now();
      const r = await run("node", [cliPath(), "install", `ssh://root@127.0.0.1:${ctx.link.port}`, "--root", root,
        "--system", top, "-i", `${ctx.work}/client`, "--known-hosts", `${ctx.work}/known_hosts`, "--accept-new-host-key", "--ssh-config", "/dev/null", "--json", ...extra], { onLine });
      timeline.push({ at: Math.round(performance.now() - t0), type: "exit" });
      const events = r.out.split("\n").filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return {}; } });
      const steps = {}; let current = null, execs = 1; // the probe
      for (const e of events) {
        if (e.type === "step-start") { current = e.phase; if (e.phase !== "copy") execs++; else execs++; }
        if (e.type === "step-end" && current) steps[current] = (steps[current] ?? 0) + e.durationMs;
      }
      const done = events.find((e) => e.type === "done");
      const plan = events.find((e) => e.type === "plan")?.plan;
      // The zstd levels a copy went through, when its level changed (a note, an "info" line in --json, says so).
      const levels = events.flatMap((e) => ((e.type === "info" || e.type === "note") && /^compressed with /.test(e.message ?? "") ? [e.message.replace(/:.*/, "").replace("compressed with ", "")] : []));
      return { ok: r.code === 0, err: r.code === 0 ? "" : r.err + r.out.slice(-1500), steps, execs, reportedMs: done?.durationMs, deltas: plan?.copy?.deltas ?? 0, levels, timeline };
    },
  });

const CONTENDERS = {
  "nixos-via": nixosVia("nixos-via install ssh://", []),
  // The same build without deltas: what nixos-via sent before them, in the same run.
  "nixos-via-no-delta": nixosVia("nixos-via install ssh:// --no-delta", ["--no-delta"]),
  // --baseline PATH: another build of the CLI (e.g. main before a change), in the same run.
  "nixos-via-baseline": nixosVia("nixos-via install ssh:// (baseline build)", [], () => baseline),
  "nix-copy-ssh": {
    label: "nix copy --to ssh://",
    rts: (ctx, r) => ctx.rtsConnect + 2 + r.paths, // handshake, query valid paths, then one reply awaited per path
    run: (ctx, top, root) => nixCopy(ctx, storeUrl("ssh", root), top),
  },
  "nix-copy-ssh-compress": {
    label: "nix copy --to ssh://…&compress=true",
    rts: (ctx, r) => ctx.rtsConnect + 2 + r.paths,
    run: (ctx, top, root) => nixCopy(ctx, storeUrl("ssh", root, "&compress=true"), top),
  },
  "nix-copy-ssh-ng": {
    label: "nix copy --to ssh-ng://",
    rts: (ctx) => ctx.rtsConnect + 3, // handshake, query valid paths, one addMultipleToStore stream
    run: (ctx, top, root) => nixCopy(ctx, storeUrl("ssh-ng", root), top),
  },
  "nix-copy-closure-gzip": {
    label: "nix-copy-closure --gzip",
    rts: (ctx, r) => ctx.rtsConnect + 2 + r.paths,
    async run(ctx, top, root) {
      const r = await run("nix-copy-closure", ["--gzip", "--to", "root@127.0.0.1", top], { env: nixSshEnv(ctx, ["-o", `SetEnv=NIX_REMOTE=local?root=${root}`]) });
      return { ok: r.code === 0, err: r.err };
    },
  },
  "tar-zstd-ssh": {
    label: "tar \\| zstd -3 -T0 \\| ssh (bare pipe)",
    rts: (ctx) => ctx.rtsConnect + 1,
    async run(ctx, top, root, missing) {
      // The practical limit of one stream: the paths the target lacks (known to the
      // benchmark, no query), unpacked straight into the store, not registered.
      const list = join(ctx.work, "tar-list");
      writeFileSync(list, missing.map((p) => p.slice("/nix/store/".length) + "\0").join(""));
      const ssh = ["ssh", ...sshOpts(ctx), "root@127.0.0.1"].map((a) => `'${a}'`).join(" ");
      const r = await run("bash", ["-o", "pipefail", "-c",
        `tar -c -f - --format=gnu --numeric-owner --owner=0 --group=0 -C /nix/store --null -T ${list} | zstd -q -c -3 -T0 | ${ssh} 'mkdir -p ${root}/nix/store && zstd -dcq | tar -x -f - -C ${root}/nix/store'`]);
      return { ok: r.code === 0, err: r.err, afterTiming: async () => {
        // Registered afterwards, untimed, so Nix can check the result like the others'.
        await sh(`nix-store --dump-db ${missing.join(" ")} | nix-store --store 'local?root=${root}' --load-db`);
      } };
    },
  },
};

async function nixCopy(ctx, url, top) {
  const r = await run("nix", ["copy", "--no-check-sigs", "--to", url, top], { env: nixSshEnv(ctx) });
  return { ok: r.code === 0, err: r.err };
}

async function verify(root, top, expected) {
  const store = `local?root=${root}`;
  const listed = await run("nix", ["path-info", "--store", store, "-r", top]);
  if (listed.code !== 0) return `nix path-info failed: ${listed.err.slice(-500)}`;
  const n = listed.out.split("\n").filter(Boolean).length;
  if (n !== expected) return `closure on the target has ${n} paths, expected ${expected}`;
  const v = await run("nix-store", ["--store", store, "--verify", "--check-contents"]);
  if (v.code !== 0 || /modified|corrupt|invalid|error/i.test(v.err)) return `nix-store --verify --check-contents: ${v.err.slice(-500)}`;
  return null;
}

function cpuTimes() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
}
// CPU seconds by side, from /proc/PID/stat (clock ticks, 100 a second here): the sender is
// this process's reaped children (the contender's command and everything it waited for:
// tar, zstd, ssh); the link is this process itself (the emulator, the RSS sampler); the
// target is sshd's reaped children (each connection's session, shell, zstd -d, tar -x, nix).
function processTicks(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ").map(Number);
  return { own: f[11] + f[12], children: f[13] + f[14] };
}
function sideTicks(sshdPid) {
  const self = processTicks("self");
  return { sender: self.children, link: self.own, target: processTicks(sshdPid).children };
}
// The machine-speed sample (see the run loop): one zstd -3 thread over the first 64 MiB of
// generation 1 as a tar stream, the kind of work the fresh copy's sender does.
async function machineSpeed() {
  const t0 = performance.now();
  await sh(`zstd -q -3 -T1 -c ${join(work, "speed-sample")} > /dev/null`);
  return Math.round(performance.now() - t0);
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

// ---------------------------------------------------------------- main
const started = Date.now();
// The CLI as built now, copied aside: other work may rebuild packages/*/dist mid-run.
const snapshot = join(here, ".snapshot");
rmSync(snapshot, { recursive: true, force: true });
// The SDK too (package "nixos-via"): without it the copied CLI would load the live one.
for (const [p, name] of [["core", "@nixos-via/core"], ["transport-local", "@nixos-via/transport-local"], ["transport-ssh", "@nixos-via/transport-ssh"], ["sdk", "nixos-via"], ["cli", "@nixos-via/cli"]]) {
  const from = join(repo, "packages", p), to = join(snapshot, "node_modules", name);
  mkdirSync(to, { recursive: true });
  await sh(`cd ${from} && cp -r ${["package.json", "dist", "bin", "node_modules"].filter((f) => existsSync(join(from, f))).join(" ")} ${to}/`);
}
// --cli PATH runs another build of the CLI instead (for experiments with a patched copy).
const cli = opt("--cli", join(snapshot, "node_modules/@nixos-via/cli/bin/nixos-via.js"));
await must("node", [cli, "--help"]);
const baseline = opt("--baseline", undefined);
if (baseline !== undefined) await must("node", [baseline, "--help"]);
const revision = (await run("git", ["-C", repo, "describe", "--always", "--dirty"])).out.trim();
const { tops, closures } = await buildClosure();
const G = { fresh: { top: tops.g1, want: closures.g1, have: [] }, next: { top: tops.g2, want: closures.g2, have: closures.g1.paths },
  mass: { top: tops.g3, want: closures.g3, have: [...closures.g1.paths, ...closures.g2.paths] },
  changed: { top: tops.g4, want: closures.g4, have: [...closures.g1.paths, ...closures.g2.paths, ...closures.g3.paths] } };
for (const p of Object.values(G)) { const h = new Set(p.have); p.missing = p.want.paths.filter((x) => !h.has(x)); }
log(`closure: ${closures.g1.paths.length} paths, ${(closures.g1.narBytes / 2 ** 20).toFixed(0)} MiB (NAR); next generation: ${G.next.missing.length} new paths; mass rebuild: ${G.mass.missing.length} new paths; changed contents: ${G.changed.missing.length} new paths`);

const work = mkdtempSync("/var/tmp/nixos-via-bench-run-");
writeFileSync(join(work, "speed-list"), closures.g1.paths.map((p) => p.slice("/nix/store/".length) + "\0").join(""));
await sh(`tar -c -f - -C /nix/store --null -T ${join(work, "speed-list")} 2>/dev/null | head -c 64M > ${join(work, "speed-sample")}`);
const target = await startTarget(work);
const link = await startLink({ host: "127.0.0.1", port: target.port });
writeFileSync(join(work, "known_hosts"), `[127.0.0.1]:${link.port} ${readFileSync(join(work, "host.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`);
const sampler = startRssSampler(target.sshd.pid);
const ctx = { work, link, rtsConnect: 0 };
const results = [];
let exitCode = 0;
const cleanup = async () => { await sampler.stop(); await link.close(); await target.stop(); if (!flag("--keep")) rmSync(work, { recursive: true, force: true }); };
process.on("SIGINT", async () => { await cleanup(); process.exit(130); });

try {
  for (const lk of linkKeys) {
    const L = LINKS[lk];
    link.set(L);
    const runs = L.mbit ? runsShaped : runsUnshaped;
    // Round trips to connect and run one command, measured with OpenSSH on this link.
    // (time on this link minus time unshaped, in round trips: the CPU part is not the link's)
    if (L.rttMs) {
      const time = async () => { const t0 = performance.now(); await must("ssh", [...sshOpts(ctx), "root@127.0.0.1", "true"]); return performance.now() - t0; };
      link.set({}); const base = Math.min(await time(), await time());
      link.set(L); const shaped = Math.min(await time(), await time());
      ctx.rtsConnect = Math.max(1, Math.round((shaped - base) / L.rttMs));
    } else ctx.rtsConnect = 0;
    log(`link ${L.name}: ${runs} run(s) each; ssh connect + one command = ${ctx.rtsConnect} round trips`);
    // Run 1 of every contender, then run 2 of every contender: this machine's speed drifts
    // by tens of percent over minutes (the same single-threaded zstd -3 job took 0.86 to
    // 1.38 s, with no steal time), and contender after contender would turn that drift into
    // differences between contenders. Before each contender's run, the same fixed zstd job
    // is timed (speedMs) so a slow run can be told from a slow machine.
    for (let i = 0; i < runs; i++) {
      for (const c of contenders) {
        const C = CONTENDERS[c];
        if (!phases.some((ph) => !skip.has(`${lk}:${c}:${ph}`) && planned(lk, c, ph, i))) continue;
        const root = mkdtempSync("/var/tmp/nixos-via-bench-target-");
        await sh(`chmod 755 ${root}`);
        const speedMs = await machineSpeed();
        try {
          for (const ph of phases) {
            const P = G[ph];
            if (skip.has(`${lk}:${c}:${ph}`) || !planned(lk, c, ph, i)) continue;
            // Every timed copy starts with the disk quiet: the previous copy's dirty pages
            // (up to 650 MiB, written back 30 s later by default) and the last root's removal
            // (ext4 mounted with discard) would otherwise land inside the next contender's time.
            await sh("sync");
            link.reset(); sampler.reset();
            const cpu0 = cpuTimes(); const side0 = sideTicks(target.sshd.pid); const t0 = performance.now();
            const r = await C.run(ctx, P.top, root, P.missing);
            const ms = performance.now() - t0; const cpu1 = cpuTimes();
            const rss = await sampler.read();
            // sshd reaps a connection's session process when it closes, a moment after the client exits.
            await new Promise((res) => setTimeout(res, 300));
            const side1 = sideTicks(target.sshd.pid);
            const cpuSeconds = Object.fromEntries(Object.keys(side0).map((k) => [k, (side1[k] - side0[k]) / 100]));
            const bytes = link.bytes.up + link.bytes.down;
            let problem = r.ok ? null : `failed: ${r.err.slice(-800)}`;
            if (!problem && r.afterTiming) await r.afterTiming();
            if (!problem) problem = await verify(root, P.top, P.want.paths.length);
            const rts = C.rts(ctx, { ...r, paths: P.missing.length });
            const limitMs = L.mbit ? (bytes * 8) / (L.mbit * 1e3) + rts * L.rttMs : null;
            const rec = { link: lk, contender: c, phase: ph, run: i + 1, ok: !problem, problem, ms: Math.round(ms), bytes, bytesUp: link.bytes.up, bytesDown: link.bytes.down,
              connections: link.connections, paths: P.missing.length, roundTrips: rts, linkLimitMs: limitMs && Math.round(limitMs),
              cpuBusyCores: +((1 - (cpu1.idle - cpu0.idle) / (cpu1.total - cpu0.total)) * cpus().length).toFixed(2), cpuSeconds, speedMs,
              targetPeakRss: rss.total, targetPeakRssWithoutSshd: rss.tools, targetBiggestProcess: { name: rss.biggestName, rss: rss.biggest },
              steps: r.steps, reportedMs: r.reportedMs, deltas: r.deltas, levels: r.levels, timeline: r.timeline };
            results.push(rec);
            log(`  ${c} ${ph} #${i + 1}: ${problem ? "INVALID " + problem.split("\n")[0] : "ok"} ${(ms / 1000).toFixed(2)} s, ${(bytes / 2 ** 20).toFixed(1)} MiB on the wire, target peak ${(rss.total / 2 ** 20).toFixed(0)} MiB, machine speed sample ${speedMs} ms, CPU s sender ${cpuSeconds.sender} link ${cpuSeconds.link} target ${cpuSeconds.target}${r.steps ? " " + JSON.stringify(r.steps) : ""}${r.levels?.length ? " levels " + r.levels.join("; ") : ""}${r.timeline ? " timeline " + r.timeline.map((t) => `${t.type}${t.phase ? ":" + t.phase : ""}@${t.at}`).join(" ") : ""}`);
            if (problem) exitCode = 1; // the next phase still runs: it copies what is missing
          }
        } finally { rmSync(root, { recursive: true, force: true }); }
      }
    }
  }
} finally { await cleanup(); }

// ---------------------------------------------------------------- report
const rows = [];
for (const lk of linkKeys) for (const ph of phases) {
  const group = contenders.map((c) => {
    const rs = results.filter((r) => r.link === lk && r.contender === c && r.phase === ph && r.ok);
    if (!rs.length) return { c, missing: true, failed: results.some((r) => r.link === lk && r.contender === c && r.phase === ph) };
    const pick = (k) => median(rs.map((r) => r[k]));
    const steps = rs[0].steps ? Object.fromEntries(Object.keys(rs[0].steps).map((k) => [k, median(rs.map((r) => r.steps[k] ?? 0))])) : undefined;
    return { c, n: rs.length, ms: pick("ms"), bytes: pick("bytes"), limitMs: rs[0].linkLimitMs === null ? null : pick("linkLimitMs"), rts: rs[0].roundTrips,
      rss: Math.max(...rs.map((r) => r.targetPeakRss)), rssTools: Math.max(...rs.map((r) => r.targetPeakRssWithoutSshd)), cpu: pick("cpuBusyCores"),
      cpuSides: ["sender", "link", "target"].map((k) => median(rs.map((r) => r.cpuSeconds?.[k] ?? 0))),
      speed: pick("speedMs"), speedRange: [Math.min(...rs.map((r) => r.speedMs)), Math.max(...rs.map((r) => r.speedMs))], steps };
  });
  const via = group.find((g) => g.c === "nixos-via" && !g.missing);
  for (const g of group) rows.push({ link: lk, phase: ph, ...g, ratio: via && !g.missing ? g.ms / via.ms : null });
}
const fmtS = (ms) => (ms >= 100000 ? (ms / 1000).toFixed(0) : ms >= 10000 ? (ms / 1000).toFixed(1) : (ms / 1000).toFixed(2));
const PH = { fresh: "fresh copy", next: "next generation", mass: "mass rebuild", changed: "changed contents" };
let md = `| link | copy | contender | runs | wall time s (median) | on the wire MiB | × nixos-via | link limit s (round trips) | target peak RSS MiB (w/o sshd) | CPU busy cores | CPU s: sender, link, target | speed sample ms (range) |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n`;
for (const r of rows) {
  if (r.missing) { md += `| ${LINKS[r.link].name} | ${PH[r.phase]} | ${CONTENDERS[r.c].label} | | ${r.failed ? "failed" : "not run"} | | | | | | | |\n`; continue; }
  const via = r.c === "nixos-via" && r.steps ? ` (copy ${fmtS(r.steps.copy ?? 0)} + register ${fmtS(r.steps.register ?? 0)})` : "";
  md += `| ${LINKS[r.link].name} | ${PH[r.phase]} | ${CONTENDERS[r.c].label} | ${r.n} | ${fmtS(r.ms)}${via} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.ratio === null ? "" : r.ratio.toFixed(2)} | ${r.limitMs === null ? "–" : `${fmtS(r.limitMs)} (${r.rts})`} | ${(r.rss / 2 ** 20).toFixed(0)} (${(r.rssTools / 2 ** 20).toFixed(0)}) | ${r.cpu.toFixed(2)} | ${r.cpuSides.map((x) => x.toFixed(1)).join(", ")} | ${r.speed} (${r.speedRange.join("–")}) |\n`;
}
// Targets from issue 6.
const get = (lk, ph, c) => rows.find((r) => r.link === lk && r.phase === ph && r.c === c && !r.missing);
const checks = [];
const nixVariants = ["nix-copy-ssh", "nix-copy-ssh-compress", "nix-copy-ssh-ng", "nix-copy-closure-gzip"];
const fastestNix = (lk, ph) => nixVariants.map((c) => get(lk, ph, c)).filter(Boolean).sort((a, b) => a.ms - b.ms)[0];
const via40 = get("40ms", "fresh", "nixos-via"), nix40 = fastestNix("40ms", "fresh"), tar40 = get("40ms", "fresh", "tar-zstd-ssh");
if (via40 && nix40) checks.push([`fresh copy at 40 ms: ≥ 2.5× faster than the fastest nix copy (${CONTENDERS[nix40.c].label})`, nix40.ms / via40.ms >= 2.5, `${(nix40.ms / via40.ms).toFixed(2)}×`]);
if (via40 && tar40) checks.push(["fresh copy at 40 ms: ≤ 1.15× the bare tar|zstd pipe", via40.ms / tar40.ms <= 1.15, `${(via40.ms / tar40.ms).toFixed(2)}×`]);
const viaL = get("loopback", "fresh", "nixos-via"), nixL = fastestNix("loopback", "fresh");
if (viaL && nixL) checks.push([`fresh copy on loopback: no slower than the fastest nix copy (${CONTENDERS[nixL.c].label})`, viaL.ms <= nixL.ms, `${fmtS(viaL.ms)} s vs ${fmtS(nixL.ms)} s`]);
const viaN = get("40ms", "next", "nixos-via");
if (viaN) checks.push(["next generation at 40 ms: under 1.5 s end to end", viaN.ms < 1500, `${fmtS(viaN.ms)} s`]);
// Targets from issue 12 (deltas, and a fresh copy that beats the pipe).
const fresh40 = get("40ms", "fresh", "nixos-via"), mass40 = get("40ms", "mass", "nixos-via"), changed40 = get("40ms", "changed", "nixos-via");
const before40 = get("40ms", "mass", "nixos-via-no-delta"), ng40 = get("40ms", "mass", "nix-copy-ssh-ng");
if (fresh40 && mass40) checks.push(["mass rebuild at 40 ms: bytes ≤ 15 % of the fresh copy's", mass40.bytes <= 0.15 * fresh40.bytes, `${(100 * mass40.bytes / fresh40.bytes).toFixed(1)} %`]);
if (mass40 && before40) checks.push(["mass rebuild at 40 ms: ≥ 3× faster than nixos-via without deltas", before40.ms / mass40.ms >= 3, `${(before40.ms / mass40.ms).toFixed(2)}×`]);
if (mass40 && ng40) checks.push(["mass rebuild at 40 ms: ≥ 5× faster than nix copy --to ssh-ng://", ng40.ms / mass40.ms >= 5, `${(ng40.ms / mass40.ms).toFixed(2)}×`]);
if (fresh40 && changed40) checks.push(["changed contents at 40 ms: bytes ≤ 30 % of the fresh copy's", changed40.bytes <= 0.3 * fresh40.bytes, `${(100 * changed40.bytes / fresh40.bytes).toFixed(1)} %`]);
// Run by run: run i of nixos-via and run i of the pipe ran one after the other, on the
// machine as fast as it was then; the median of those ratios, every ratio shown.
const paired = (lk, ph, a, b) => results.filter((r) => r.link === lk && r.phase === ph && r.contender === a && r.ok).flatMap((r) => {
  const o = results.find((x) => x.link === lk && x.phase === ph && x.contender === b && x.run === r.run && x.ok);
  return o ? [r.ms / o.ms] : [];
});
const freshPairs = paired("40ms", "fresh", "nixos-via", "tar-zstd-ssh");
if (freshPairs.length) checks.push(["fresh copy at 40 ms: beats the bare pipe by ≥ 10 % (median of run-by-run ratios)", median(freshPairs) <= 0.9,
  `${median(freshPairs).toFixed(2)}× the pipe (runs: ${freshPairs.map((x) => x.toFixed(2)).join(", ")})`]);
const ngFresh = get("40ms", "fresh", "nix-copy-ssh-ng");
if (via40 && ngFresh) checks.push(["fresh copy at 40 ms: ≥ 2.8× faster than nix copy --to ssh-ng://", ngFresh.ms / via40.ms >= 2.8, `${(ngFresh.ms / via40.ms).toFixed(2)}×`]);
if (viaN) checks.push(["next generation at 40 ms: ≤ 0.9 s end to end", viaN.ms <= 900, `${fmtS(viaN.ms)} s`]);
const viaRss = rows.filter((r) => r.c === "nixos-via" && !r.missing);
if (viaRss.length) { const m = Math.max(...viaRss.map((r) => r.rss)); checks.push(["receiving side peak memory under 64 MiB (incl. sshd)", m < 64 * 2 ** 20, `${(m / 2 ** 20).toFixed(0)} MiB`]); }
// Every contender against nixos-via run by run, where both ran: a machine that drifts
// moves both times of a pair alike, so these ratios vary less than the medians do.
const pairRows = [];
for (const lk of linkKeys) for (const ph of phases) for (const c of contenders) {
  if (c === "nixos-via") continue;
  const rs = paired(lk, ph, c, "nixos-via");
  if (rs.length) pairRows.push(`| ${LINKS[lk].name} | ${PH[ph]} | ${CONTENDERS[c].label} | ${median(rs).toFixed(2)} | ${rs.map((x) => x.toFixed(2)).join(", ")} |`);
}
if (pairRows.length) md += `\n| link | copy | contender | × nixos-via, run by run (median) | each run |\n|---|---|---|---:|---|\n${pairRows.join("\n")}\n`;
md += `\n| target (issues 6, 12) | met | measured |\n|---|---|---|\n` + checks.map(([t, ok, v]) => `| ${t} | ${ok ? "yes" : "**no**"} | ${v} |`).join("\n") + "\n";

const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
const outDir = join(here, "results");
mkdirSync(outDir, { recursive: true });
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, memGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, pageout,
  nix: (await run("nix", ["--version"])).out.trim(), ssh: (await run("ssh", ["-V"])).err.trim(), zstd: (await run("zstd", ["--version"])).out.trim() };
const header = `Run ${stamp}${quick ? " (--quick)" : ""}: closure ${closures.g1.paths.length} paths, ${(closures.g1.narBytes / 2 ** 20).toFixed(0)} MiB; next generation ${G.next.missing.length} paths; mass rebuild ${G.mass.missing.length} paths. ` +
  `nixos-via ${revision}. Runs: ${runsUnshaped} unshaped, ${runsShaped} shaped. Machine: ${machine.cores} × ${machine.cpu}, ${machine.memGiB} GiB; DAMON pageout ${pageout}; ${machine.nix}; ${machine.ssh}; ${machine.zstd}. Took ${((Date.now() - started) / 60000).toFixed(1)} min.\n\n`;
writeFileSync(join(outDir, `${stamp}${quick ? "-quick" : ""}.md`), header + md);
writeFileSync(join(outDir, `${stamp}${quick ? "-quick" : ""}.json`), JSON.stringify({ stamp, quick, revision, machine, closure: { paths: closures.g1.paths.length, narBytes: closures.g1.narBytes,
  next: G.next.missing.length, mass: G.mass.missing.length, tops }, runsUnshaped, runsShaped, links: linkKeys.map((k) => ({ key: k, ...LINKS[k] })), rows, results }, null, 1));
console.log(header + md);
process.exit(exitCode);
