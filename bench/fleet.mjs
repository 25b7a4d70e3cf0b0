// node bench/fleet.mjs [--hosts 16] [--rtt 40] [--mbit 100] [--keep]: the fleet benchmark
// (issue 14). Deploys a next generation to N lightweight SSH hosts, each behind its own
// emulated link (lib/link.mjs), three ways: the whole fleet in one wave (--parallel N),
// the fleet with --parallel 1, and the hosts one by one (a `fleet deploy --on HOST` each).
// Each host is a folder root behind the one loopback sshd (test/fixtures/fleet/network.nix,
// as in the fleet test). Prints a Markdown table; asserts nothing.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startLink } from "./lib/link.mjs";

const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i < 0 ? fallback : process.argv[i + 1]; };
const hosts = Number(arg("--hosts", "16"));
const rttMs = Number(arg("--rtt", "40"));
const mbit = Number(arg("--mbit", "100"));
const repo = new URL("..", import.meta.url).pathname;
const cli = join(repo, "packages/cli/bin/nixos-via.js");
const work = "/var/tmp/nixos-via-fleet-bench";
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, "roots"), { recursive: true, mode: 0o755 });
for (let i = 1; i <= hosts; i++) mkdirSync(join(work, "roots", `ssh-${i}`, "boot"), { recursive: true, mode: 0o755 });

// The target: one sshd with its own keys and config; the machine's /root/.bashrc hidden,
// as bench/run.mjs does (it adds 100-200 ms to every SSH command here, not on a server).
execFileSync("sh", ["-c", `cd ${work} && ssh-keygen -q -t ed25519 -N '' -f client && ssh-keygen -q -t ed25519 -N '' -f host && mkdir -p keys /run/sshd && cp client.pub keys/root && : > empty`]);
const port = 20000 + Math.floor(Math.random() * 20000);
writeFileSync(join(work, "sshd_config"), [
  `Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${work}/host`, `AuthorizedKeysFile ${work}/keys/%u`, `PidFile ${work}/sshd.pid`,
  "StrictModes no", "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
  "MaxStartups 100", "MaxSessions 100", "",
].join("\n"));
const sshd = spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c",
  `for f in /root/.bashrc /root/.bash_profile /root/.profile; do [ -e $f ] && mount --bind ${work}/empty $f; done; exec /usr/sbin/sshd -D -e -f ${work}/sshd_config`], { stdio: "ignore" });
for (let i = 0; i < 50 && !existsSync(join(work, "sshd.pid")); i++) await new Promise((r) => setTimeout(r, 100));

const links = [];
for (let i = 0; i < hosts; i++) links.push(await startLink({ host: "127.0.0.1", port }));
const network = join(work, "network.nix");
writeFileSync(network, readFileSync(join(repo, "test/fixtures/fleet/network.nix"), "utf8").replace("./systems.nix", join(repo, "test/fixtures/fleet/systems.nix")));
const ssh = ["-i", join(work, "client"), "--known-hosts", join(work, "known_hosts"), "--accept-new-host-key", "--ssh-config", "/dev/null"];

function nixosVia(args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const p = spawn("node", [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = ""; let err = "";
    p.stdout.on("data", (d) => (out += d)); p.stderr.on("data", (d) => (err += d));
    p.on("close", (code) => resolve({ code, out, err, seconds: (performance.now() - started) / 1000 }));
  });
}
async function fleet(args) {
  const r = await nixosVia(["fleet", ...args, "--network", network, ...(args[0] === "set-args" ? [] : ssh)]);
  if (r.code !== 0) { console.error(r.err); throw new Error(`fleet ${args.join(" ")} exited ${r.code}`); }
  return r;
}
const setGeneration = (g) => fleet(["set-args", "--argstr", "roots", join(work, "roots"), "--argstr", "sshPorts", links.map((l) => l.port).join(","), "--arg", "nrDir", "0", "--argstr", "generation", String(g)]);
// Builds the generation once, outside what is measured (plan builds every system).
const prepare = async (g) => { await setGeneration(g); await fleet(["plan", "--on", "ssh-1"]); };
const wide = ["--canary", "0", "--max-unavailable", "100%"];
const bytes = () => links.reduce((n, l) => n + l.bytes.up + l.bytes.down, 0);

const rows = [];
try {
  await prepare(1);
  const install = await fleet(["deploy", ...wide, "--parallel", String(hosts)]);
  rows.push(["install generation 1 (unshaped links, not the measure)", `--parallel ${hosts}`, install.seconds, bytes()]);
  for (const l of links) { l.set({ rttMs, mbit }); l.reset(); }

  await prepare(2);
  const all = await fleet(["deploy", ...wide, "--parallel", String(hosts)]);
  rows.push(["next generation, the whole fleet", `--parallel ${hosts}`, all.seconds, bytes()]);
  for (const l of links) l.reset();

  await prepare(3);
  const serial = await fleet(["deploy", ...wide, "--parallel", "1"]);
  rows.push(["next generation, the whole fleet", "--parallel 1", serial.seconds, bytes()]);
  for (const l of links) l.reset();

  await prepare(4);
  const each = [];
  for (let i = 1; i <= hosts; i++) each.push((await fleet(["deploy", "--on", `ssh-${i}`, "--canary", "0"])).seconds);
  rows.push(["next generation, one host (the first of the one-by-one runs)", "--on ssh-1", each[0], undefined]);
  rows.push([`next generation, ${hosts} hosts one by one`, "--on ssh-N each", each.reduce((a, b) => a + b, 0), bytes()]);

  console.log(`fleet benchmark: ${hosts} hosts, each behind its own ${rttMs} ms / ${mbit} Mbit/s link; ${new Date().toISOString()}\n`);
  console.log("| run | how | wall time s | on the wire MiB |\n|---|---|---:|---:|");
  for (const [what, how, s, b] of rows) console.log(`| ${what} | \`${how}\` | ${s.toFixed(1)} | ${b === undefined ? "" : (b / 2 ** 20).toFixed(1)} |`);
  console.log(`\nwhole fleet / one host: ${(all.seconds / each[0]).toFixed(2)}× (target ≤ 2×); --parallel 1 / whole fleet: ${(serial.seconds / all.seconds).toFixed(1)}×`);
} finally {
  for (const l of links) await l.close();
  sshd.kill("SIGTERM");
  if (!process.argv.includes("--keep")) rmSync(work, { recursive: true, force: true });
}
