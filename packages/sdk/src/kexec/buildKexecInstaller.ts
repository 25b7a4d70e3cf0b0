import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { InvalidSystemError, TransportError, type KexecInstaller, type NixosSystem, type NixosViaError } from "@nixos-via/core";
import { execLocal } from "@nixos-via/transport-local";

/**
 * What the installer always needs on the target, besides the layout's tools: a shell and
 * the commands of the install plan and of its own init.
 */
const BASE_TOOLS = ["sh", "sshd", "ssh-keygen", "tar", "gzip", "zstd", "mount", "umount", "unshare", "chroot", "sync", "modprobe", "ip", "awk", "init", "reboot", "find", "wc", "cat", "cp", "mv", "rm", "mkdir", "ln", "chmod", "test", "readlink", "sleep"];
/** Busybox applets that cannot do a layout's job (no ext4, FAT32 or GPT tools): a full program is taken. */
const FULL_PROGRAMS = new Set(["mkfs.ext4", "mke2fs", "mkfs.ext2", "mkfs.ext3", "mkfs.vfat", "mkfs.fat", "wipefs", "blkid", "sgdisk", "sfdisk", "partx", "fdisk"]);
/** Where the build machine's programs are looked up (the closure lacks them). */
const HOST_PATH = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"];

interface Library {
  readonly name: string;
  readonly file: string;
}

/**
 * Builds, with this machine's Nix, the kexec installer of `system`: its own kernel and an
 * initrd holding only what the install needs (a shell, tar, gzip/zstd, sshd, the layout's
 * disk tools), taken from store paths of its closure wherever they are there and from
 * this machine's programs otherwise, plus Debian's kexec binary with its libraries for the
 * target's side. See docs/kexec.md.
 */
export function buildKexecInstaller(system: NixosSystem, layoutTools: readonly string[]): ResultAsync<KexecInstaller, NixosViaError> {
  return ResultAsync.fromPromise(build(system, layoutTools), (cause) =>
    cause instanceof TransportError || cause instanceof InvalidSystemError ? cause : new TransportError(`building the kexec installer failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause }),
  ).andThen((r) => (r instanceof Error ? errAsync(r) : okAsync(r)));
}

async function build(system: NixosSystem, layoutTools: readonly string[]): Promise<KexecInstaller | NixosViaError> {
  const toplevel = system.toplevel;
  const inClosure = new Map(system.closure.paths.map((p) => [p.path, p]));
  const storePathOf = (file: string) => file.split("/").slice(0, 4).join("/");
  const kernel = realpathSync(join(toplevel, "kernel"));
  const modules = realpathSync(join(toplevel, "kernel-modules"));
  const sw = join(toplevel, "sw", "bin");
  const swNames = existsSync(sw) ? readdirSync(sw) : [];
  const links: Record<string, string> = {};
  const programs: { name: string; file: string }[] = [];
  const roots = new Set<string>([storePathOf(modules)]);
  const resolveInClosure = (name: string): string | undefined => {
    if (!swNames.includes(name)) return undefined;
    const real = realpathSync(join(sw, name));
    return inClosure.has(storePathOf(real)) ? real : undefined;
  };
  const shell = resolveInClosure("sh");
  const busybox = shell !== undefined && basename(shell) === "busybox" ? shell : undefined;
  // Every applet of the closure's busybox comes along: it costs nothing more.
  if (busybox !== undefined) {
    for (const name of swNames) if (resolveInClosure(name) === busybox) links[name] = busybox;
    roots.add(storePathOf(busybox));
  }
  for (const name of [...new Set([...BASE_TOOLS, ...layoutTools])]) {
    const own = resolveInClosure(name);
    const isApplet = own !== undefined && own === busybox;
    if (own !== undefined && !(isApplet && FULL_PROGRAMS.has(name) && hostProgram(name) !== undefined)) {
      links[name] = own;
      roots.add(storePathOf(own));
      continue;
    }
    const host = hostProgram(name);
    if (host !== undefined && (FULL_PROGRAMS.has(name) || links[name] === undefined)) {
      delete links[name];
      programs.push({ name, file: host });
    } else if (links[name] === undefined) {
      return new InvalidSystemError(toplevel, `the kexec installer needs ${name}: neither ${toplevel}/sw/bin nor this machine has it`);
    }
  }
  const storePaths = closureOf([...roots], inClosure);
  const libraries = await librariesOf(programs.map((p) => p.file), {});
  const kexec = findKexec();
  if (kexec === undefined) return new TransportError("no kexec binary on this machine: run scripts/setup.sh (it unpacks Debian's kexec-tools into .cache/kexec-tools)");
  const kexecLibraries = await librariesOf([kexec.file], kexec.env);
  const kernelParams = (await readFile(join(toplevel, "kernel-params"), "utf8").catch(() => "")).trim();

  const work = await mkdtemp(join(tmpdir(), "nixos-via-kexec-"));
  try {
    const spec = join(work, "spec.json");
    await writeFile(spec, JSON.stringify({ toplevel, kernel, kernelParams, modules, storePaths, links, programs, libraries, kexec: { file: kexec.file, libraries: kexecLibraries } }));
    const built = await execLocal(["nix-build", "--no-out-link", installerExpression(), "--argstr", "spec", spec], {
      env: { NIX_CONFIG: `${process.env["NIX_CONFIG"] ?? ""}\nextra-experimental-features = nix-command` },
    });
    if (built.isErr()) return built.error;
    if (built.value.exitCode !== 0) return new TransportError("building the kexec installer with Nix failed", { details: built.value.stderr.trim().split("\n").slice(-20).join("\n") });
    const path = built.value.stdout.trim().split("\n").pop()!;
    const kernelBytes = (await stat(join(path, "kernel"))).size;
    const initrdBytes = (await stat(join(path, "initrd"))).size;
    let uploadBytes = 0;
    for (const f of ["kernel", "initrd", "busybox", "cmdline", "store-paths"]) uploadBytes += (await stat(join(path, f))).size;
    for (const f of readdirSync(join(path, "kexec"))) uploadBytes += statSync(join(path, "kexec", f)).size;
    const reused = storePaths.map((p) => inClosure.get(p)!).filter((p) => p !== undefined);
    return {
      path,
      kernelBytes,
      initrdBytes,
      uploadBytes,
      unpackedBytes: reused.reduce((n, p) => n + p.narSize, 0) + sumSizes(libraries.map((l) => l.file)) + sumSizes(programs.map((p) => p.file)),
      storePaths,
      reusedBytes: reused.reduce((n, p) => n + p.narSize, 0),
      tools: [...new Set([...Object.keys(links), ...programs.map((p) => p.name)])].sort(),
      kernelRelease: basename(modules),
      modules: listModules(modules),
      fromHost: programs.map((p) => p.name).sort(),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The nix file beside the package (src/kexec → ../../nix, dist → ../nix). */
function installerExpression(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "nix", "kexec-installer.nix");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error("kexec-installer.nix is missing from the nixos-via package");
}

function hostProgram(name: string): string | undefined {
  for (const dir of HOST_PATH) {
    const file = join(dir, name);
    if (existsSync(file)) return realpathSync(file);
  }
  return undefined;
}

/** Debian's kexec: installed, or unpacked by scripts/setup.sh with its Xen libraries. */
function findKexec(): { file: string; env: Record<string, string> } | undefined {
  const host = hostProgram("kexec");
  if (host !== undefined) return { file: host, env: {} };
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const unpacked = join(dir, ".cache", "kexec-tools");
    if (existsSync(join(unpacked, "sbin", "kexec"))) {
      return { file: join(unpacked, "sbin", "kexec"), env: { LD_LIBRARY_PATH: join(unpacked, "usr", "lib", "x86_64-linux-gnu") } };
    }
    dir = dirname(dir);
  }
  return undefined;
}

/** The shared libraries programs load, by soname, with the loader (`ldd`). */
async function librariesOf(files: readonly string[], env: Record<string, string>): Promise<Library[]> {
  const found = new Map<string, string>();
  for (const file of files) {
    const r = await execLocal(["ldd", file], { env });
    if (r.isErr()) throw r.error;
    for (const line of r.value.stdout.split("\n")) {
      const linked = /^\s*(\S+) => (\/\S+)/.exec(line);
      const loader = /^\s*(\/\S+ld-linux[^\s]*)/.exec(line);
      if (line.includes("not found")) throw new Error(`${file}: ${line.trim()}`);
      if (linked) found.set(linked[1]!, realpathSync(linked[2]!));
      else if (loader) found.set(basename(loader[1]!), realpathSync(loader[1]!));
    }
  }
  return [...found].map(([name, file]) => ({ name, file }));
}

function closureOf(roots: readonly string[], inClosure: ReadonlyMap<string, { readonly references: readonly string[] }>): string[] {
  const seen = new Set<string>();
  const visit = (p: string) => {
    if (seen.has(p) || !inClosure.has(p)) return;
    seen.add(p);
    for (const r of inClosure.get(p)!.references) visit(r);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

function sumSizes(files: readonly string[]): number {
  return files.reduce((n, f) => n + statSync(f).size, 0);
}

/** Module names of the installer's kernel (`ext4`, `dm_crypt`…), for the plan's checks. */
function listModules(tree: string): string[] {
  const names: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".ko")) names.push(entry.name.slice(0, -3).replace(/-/g, "_"));
    }
  };
  if (existsSync(join(tree, "kernel"))) walk(join(tree, "kernel"));
  return names.sort();
}
