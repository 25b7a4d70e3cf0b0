// Peak memory of the receiving side: every process below the benchmark's sshd listener
// (the per-connection sshd processes and everything they run: the receiver's shell, tar,
// zstd, nix-store, …), sampled from /proc every 20 ms in a worker thread so the sampling
// never stalls the link emulator. Reports the peak of the sum of their RSS, with and
// without the sshd processes themselves.
import { Worker } from "node:worker_threads";

const code = `
const { parentPort, workerData } = require("node:worker_threads");
const { readdirSync, readFileSync } = require("node:fs");
const page = 4096;
let peak = { total: 0, tools: 0, biggest: 0, biggestName: "" };
function sample() {
  const procs = new Map();
  for (const d of readdirSync("/proc")) {
    if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
    let s; try { s = readFileSync("/proc/" + d + "/stat", "latin1"); } catch { continue; }
    const close = s.lastIndexOf(")");
    const name = s.slice(s.indexOf("(") + 1, close);
    const f = s.slice(close + 2).split(" ");
    procs.set(Number(d), { ppid: Number(f[1]), rss: Number(f[21]) * page, name });
  }
  const root = workerData.root;
  let total = 0, tools = 0;
  for (const [pid, p] of procs) {
    if (pid === root) continue;
    let q = p.ppid, under = false;
    for (let i = 0; i < 64 && q > 1; i++) { if (q === root) { under = true; break; } q = procs.get(q)?.ppid ?? 0; }
    if (!under) continue;
    total += p.rss;
    if (p.name !== "sshd") tools += p.rss;
    if (p.rss > peak.biggest) { peak.biggest = p.rss; peak.biggestName = p.name; }
  }
  if (total > peak.total) peak.total = total;
  if (tools > peak.tools) peak.tools = tools;
}
const t = setInterval(sample, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "reset") peak = { total: 0, tools: 0, biggest: 0, biggestName: "" };
  if (m === "read") { sample(); parentPort.postMessage(peak); }
  if (m === "stop") { clearInterval(t); parentPort.close(); }
});
`;

export function startRssSampler(rootPid, intervalMs = 20) {
  const worker = new Worker(code, { eval: true, workerData: { root: rootPid, intervalMs } });
  worker.unref();
  return {
    reset() { worker.postMessage("reset"); },
    read() { return new Promise((resolve) => { worker.once("message", resolve); worker.postMessage("read"); }); },
    stop() { worker.postMessage("stop"); return worker.terminate(); },
  };
}
