#!/usr/bin/env node
// Plans the benchmark closure: picks real files from this Debian machine (shared libraries,
// programs, data) and groups them into store-path-sized packages whose sizes follow the
// shape of a minimal NixOS closure (many small paths, a few large), with references that
// form a DAG. Writes a pool of hard links (one folder per package) and plan.json, which
// bench/closure/default.nix turns into real store paths.
//
//   node bench/closure/plan.mjs OUTDIR [--paths 700] [--mib 650]
import { mkdirSync, readdirSync, lstatSync, linkSync, copyFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { join, dirname, basename } from "node:path";

const args = process.argv.slice(2);
const out = args[0];
if (!out) throw new Error("usage: plan.mjs OUTDIR [--paths N] [--mib M]");
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const nPaths = opt("--paths", 700);
const totalBytes = opt("--mib", 650) * 1024 * 1024;

// Deterministic PRNG (mulberry32) so the closure is the same on every machine of this kind.
let seed = 0x5eed1234;
const rand = () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

// Sources, each read as a sorted list of regular files (so a package holds neighbouring
// files, as a real package does). Files over 48 MiB and hard-linked duplicates are skipped.
const SOURCES = [
  { root: "/usr/lib/x86_64-linux-gnu", weight: 0.40 },
  { root: "/usr/bin", weight: 0.12 },
  { root: "/usr/libexec", weight: 0.03 },
  { root: "/usr/share", weight: 0.25 },
  { root: "/usr/lib", weight: 0.20, skip: ["/usr/lib/x86_64-linux-gnu", "/usr/lib/nix"] },
];
const seen = new Set();
function walk(dir, skip, acc) {
  let names;
  try { names = readdirSync(dir).sort(); } catch { return; }
  for (const n of names) {
    const p = join(dir, n);
    if (skip.includes(p)) continue;
    let st;
    try { st = lstatSync(p); } catch { continue; }
    if (st.isDirectory()) walk(p, skip, acc);
    else if (st.isFile() && st.size > 0 && st.size <= 48 * 1024 * 1024 && !seen.has(st.ino)) {
      seen.add(st.ino);
      acc.push({ path: p, size: st.size, mode: st.mode });
    }
  }
}
for (const s of SOURCES) { s.files = []; walk(s.root, s.skip ?? [], s.files); s.cursor = 0; }

// Target sizes: a few large paths (kernel modules, firmware, glibc, systemd, perl…),
// some medium ones, and a long tail of small ones (log-normal around 40 KiB).
const large = [64, 48, 36, 30, 24, 20, 16].map((m) => m * 1024 * 1024);
const medium = Array.from({ length: Math.round(nPaths * 0.05) }, () => (2 + rand() * 8) * 1024 * 1024);
const small = Array.from({ length: nPaths - large.length - medium.length }, () => Math.max(600, Math.exp(Math.log(40 * 1024) + 1.6 * gauss())));
let sizes = [...large, ...medium, ...small];
const scale = totalBytes / sizes.reduce((a, b) => a + b, 0);
sizes = sizes.map((s) => Math.max(600, Math.round(s * scale)));
// Shuffle so large paths sit at various depths of the graph.
for (let i = sizes.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [sizes[i], sizes[j]] = [sizes[j], sizes[i]]; }

function pickSource() {
  let r = rand(), acc = 0;
  for (const s of SOURCES) { acc += s.weight; if (r < acc && s.cursor < s.files.length) return s; }
  return SOURCES.find((s) => s.cursor < s.files.length);
}

if (existsSync(join(out, "pool"))) rmSync(join(out, "pool"), { recursive: true, force: true });
mkdirSync(join(out, "pool"), { recursive: true });
const packages = [];
let actual = 0;
for (let i = 0; i < sizes.length; i++) {
  const id = `p${String(i).padStart(4, "0")}`;
  const dir = join(out, "pool", id);
  let got = 0, first = null, files = 0;
  while (got < sizes[i]) {
    const s = pickSource();
    if (!s) throw new Error("ran out of host files");
    const f = s.files[s.cursor++];
    // Keep at least one file; stop before overshooting a small path by more than 2×.
    if (got + f.size > sizes[i] * (files > 0 ? 1.25 : 2) + 4096) {
      // Too big for this path: leave it for a larger one when something is already in,
      // otherwise skip it for good.
      if (files > 0) { s.cursor--; break; }
      continue;
    }
    const rel = f.path.slice(1); // usr/lib/...
    const dst = join(dir, rel);
    mkdirSync(dirname(dst), { recursive: true });
    try { linkSync(f.path, dst); } catch { copyFileSync(f.path, dst); }
    first ??= basename(f.path);
    got += f.size; files++;
  }
  const name = `${id}-${first.replace(/[^A-Za-z0-9+._?=-]/g, "_").replace(/^\.+/, "").slice(0, 40) || "pkg"}`;
  // References: each package depends on a few earlier ones, often on the first few
  // (the glibc/bash/coreutils of the closure), which makes a DAG with a deep core.
  const deps = new Set();
  if (i > 0) {
    const n = Math.floor(rand() * Math.min(i, 6));
    for (let k = 0; k < n; k++) deps.add(rand() < 0.3 ? Math.floor(rand() * Math.min(i, 8)) : Math.floor(rand() * i));
  }
  packages.push({ id, name, bytes: got, files, deps: [...deps].sort((a, b) => a - b) });
  actual += got;
}
// Paths no other package references: the next generation changes four of them (plus the
// toplevel), as a configuration change touches etc, a unit file, a script.
const referenced = new Set(packages.flatMap((p) => p.deps));
const tops = packages.map((p, i) => i).filter((i) => !referenced.has(i) && packages[i].bytes < 1024 * 1024);
const changing = tops.slice(-4);
writeFileSync(join(out, "plan.json"), JSON.stringify({ paths: nPaths, bytes: actual, changing, packages }, null, 1));
console.log(`plan: ${packages.length} packages, ${(actual / 1048576).toFixed(0)} MiB, next generation changes ${changing.join(",")}`);
