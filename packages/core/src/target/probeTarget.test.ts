import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { afterEach, describe, expect, it } from "vitest";
import { TransportError } from "../errors/index.js";
import { PROBE_SCRIPT, parseProbeOutput, probeTarget } from "./probeTarget.js";
import type { ExecOptions, ExecResult, Target } from "./Target.js";

const S = (name: string): string => `/nix/store/${name}`;
const A = S("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-glibc-2.39");
const B = S("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-bash-5.2");
const C = S("cccccccccccccccccccccccccccccccc-nixos-system-web-24.11");
const OLD1 = S("11111111111111111111111111111111-nixos-system-web-24.05");
const OLD2 = S("22222222222222222222222222222222-nixos-system-web-24.05");
const OLD10 = S("10101010101010101010101010101010-nixos-system-web-24.05");
const PATHS = [A, B, C];

describe("parseProbeOutput", () => {
  it("reads a bare rescue system: no Nix database, no profile", () => {
    const facts = parseProbeOutput("machine=x86_64\ntool=tar\ntool=gzip\ntool=mount\ndb=absent\n", PATHS)._unsafeUnwrap();
    expect(facts).toEqual({
      machine: "x86_64",
      hasNixDb: false,
      registered: new Set(),
      staged: new Set(),
      filesystems: new Set(),
      kernelFeatures: new Set(),
      generations: [],
      currentGeneration: undefined,
      tools: new Set(["tar", "gzip", "mount"]),
      zstdVersion: undefined,
      gnuTar: false,
      predecessors: new Set(),
    });
  });

  it("reads zstd's version, GNU tar and the registered predecessor candidates", () => {
    const stdout = `machine=x86_64\ntool=zstd\nzstd_version=1.5.4\ngnu_tar=yes\ndb=present\ncandidate=${OLD1}\ncandidate=${OLD2}\ninvalid=${OLD2}\n`;
    const facts = parseProbeOutput(stdout, PATHS)._unsafeUnwrap();
    expect(facts.zstdVersion).toBe("1.5.4");
    expect(facts.gnuTar).toBe(true);
    expect(facts.predecessors).toEqual(new Set([OLD1]));
  });

  it("reads the target's available memory, and nothing from a line that is not a number", () => {
    expect(parseProbeOutput("machine=x86_64\nmem_available_kib=409600\ndb=absent\n", PATHS)._unsafeUnwrap().memAvailable).toBe(400 * 2 ** 20);
    expect(parseProbeOutput("machine=x86_64\nmem_available_kib=lots\ndb=absent\n", PATHS)._unsafeUnwrap().memAvailable).toBeUndefined();
  });

  it("reads filesystems and kernel features", () => {
    const stdout = "machine=x86_64\nfilesystem=ext4\nfilesystem=vfat\nfilesystem=ext4\nfeature=device-mapper\nfeature=md\ndb=absent\n";
    const facts = parseProbeOutput(stdout, PATHS)._unsafeUnwrap();
    expect(facts.filesystems).toEqual(new Set(["ext4", "vfat"]));
    expect(facts.kernelFeatures).toEqual(new Set(["device-mapper", "md"]));
  });

  it("maps staged base names to the closure's paths, leaving out registered and unknown ones", () => {
    const name = (p: string): string => p.slice("/nix/store/".length);
    const stdout = [
      "machine=x86_64",
      `staged=${name(B)}`,
      `staged=${name(C)}`,
      "staged=dddddddddddddddddddddddddddddddd-not-asked",
      "db=present",
      `invalid=${B}`,
      "",
    ].join("\n");
    const facts = parseProbeOutput(stdout, PATHS)._unsafeUnwrap();
    expect(facts.registered).toEqual(new Set([A, C]));
    // C is staged but also registered: it counts as registered only.
    expect(facts.staged).toEqual(new Set([B]));
  });

  it("counts nothing as registered without a database", () => {
    const facts = parseProbeOutput("machine=aarch64\ndb=absent\n", PATHS)._unsafeUnwrap();
    expect(facts.registered.size).toBe(0);
    expect(facts.hasNixDb).toBe(false);
  });

  it("reads a database where some paths are invalid", () => {
    const stdout = ["machine=x86_64", "tool=tar", "tool=nix-store", "db=present", `invalid=${C}`, `invalid=${B}`, ""].join("\n");
    const facts = parseProbeOutput(stdout, PATHS)._unsafeUnwrap();
    expect(facts.hasNixDb).toBe(true);
    expect(facts.registered).toEqual(new Set([A]));
  });

  it("counts every path registered when the database knows them all", () => {
    const facts = parseProbeOutput("machine=x86_64\ndb=present\n", PATHS)._unsafeUnwrap();
    expect(facts.registered).toEqual(new Set(PATHS));
  });

  it("ignores invalid= lines for paths it did not ask about", () => {
    const stdout = `machine=x86_64\ndb=present\ninvalid=${S("dddddddddddddddddddddddddddddddd-x")}\n`;
    expect(parseProbeOutput(stdout, [A])._unsafeUnwrap().registered).toEqual(new Set([A]));
  });

  it("sorts generations by number (the shell's glob sorts system-10 before system-2)", () => {
    const stdout = [
      "machine=x86_64",
      `generation=system-10-link ${OLD10}`,
      `generation=system-1-link ${OLD1}`,
      `generation=system-2-link ${OLD2}`,
      "profile=system-2-link",
      "db=present",
      "",
    ].join("\n");
    const facts = parseProbeOutput(stdout, PATHS)._unsafeUnwrap();
    expect(facts.generations).toEqual([
      { number: 1, toplevel: OLD1 },
      { number: 2, toplevel: OLD2 },
      { number: 10, toplevel: OLD10 },
    ]);
    expect(facts.currentGeneration).toBe(2);
  });

  it("reads a profile link written with an absolute target", () => {
    const stdout = `machine=x86_64\ngeneration=system-3-link ${OLD1}\nprofile=/nix/var/nix/profiles/system-3-link\ndb=absent\n`;
    expect(parseProbeOutput(stdout, PATHS)._unsafeUnwrap().currentGeneration).toBe(3);
  });

  it("has no current generation when the profile points somewhere else", () => {
    const stdout = `machine=x86_64\ngeneration=system-1-link ${OLD1}\nprofile=${OLD1}\ndb=absent\n`;
    const facts = parseProbeOutput(stdout, PATHS)._unsafeUnwrap();
    expect(facts.currentGeneration).toBeUndefined();
    expect(facts.generations).toHaveLength(1);
  });

  it("skips generation links that do not point at a store path, and noise lines", () => {
    const stdout = [
      "Welcome to the rescue system!",
      "machine=x86_64",
      "generation=system-1-link ../somewhere",
      "generation=system-x-link /nix/store/x",
      `generation=system-4-link ${OLD1}`,
      "db=absent",
    ].join("\n");
    expect(parseProbeOutput(stdout, PATHS)._unsafeUnwrap().generations).toEqual([{ number: 4, toplevel: OLD1 }]);
  });

  it("turns an error= line into a ProbeError carrying its text", () => {
    const stdout = "machine=x86_64\ndb=present\nerror=the target has a Nix database but no nix-store to read it with\n";
    const error = parseProbeOutput(stdout, PATHS)._unsafeUnwrapErr();
    expect(error.code).toBe("PROBE");
    expect(error.message).toBe("the target has a Nix database but no nix-store to read it with");
  });

  it("fails when the machine type is missing, keeping the output for the user", () => {
    const error = parseProbeOutput("sh: uname: not found\ndb=absent\n", PATHS)._unsafeUnwrapErr();
    expect(error.code).toBe("PROBE");
    expect(error.details).toContain("uname: not found");
  });
});

/** An in-memory target: records what it was asked and answers from a script. */
function fakeTarget(answer: (argv: readonly string[], options: ExecOptions | undefined) => ReturnType<Target["exec"]>) {
  const calls: { argv: readonly string[]; options: ExecOptions | undefined }[] = [];
  const target: Target = {
    uri: "ssh://root@203.0.113.7",
    root: "/mnt",
    capabilities: { root: true, remote: false, hostNix: false, running: false },
    exec(argv, options) {
      calls.push({ argv, options });
      return answer(argv, options);
    },
    close: () => okAsync(undefined),
  };
  return { target, calls };
}

const result = (r: Partial<ExecResult>): ExecResult => ({ exitCode: 0, stdout: "", stderr: "", ...r });

describe("probeTarget", () => {
  it("runs the probe script once, on the target's root, with the paths on stdin", async () => {
    const { target, calls } = fakeTarget(() =>
      okAsync(result({ stdout: `machine=x86_64\ntool=tar\ndb=present\ninvalid=${B}\n` })),
    );
    const facts = (await probeTarget(target, PATHS))._unsafeUnwrap();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.argv.slice(0, 5)).toEqual(["sh", "-c", PROBE_SCRIPT, "nixos-via-probe", "/mnt"]);
    // Then the tools to look for: at least those every install needs.
    expect(calls[0]!.argv.slice(5)).toEqual(expect.arrayContaining(["tar", "gzip", "zstd", "unshare", "chroot", "mount", "nix-store"]));
    expect(calls[0]!.options?.stdin).toBe(`${A}\n${B}\n${C}\n`);
    expect(facts.registered).toEqual(new Set([A, C]));
    expect(facts.tools).toEqual(new Set(["tar"]));
  });

  it("looks for extra tools once each", async () => {
    const { target, calls } = fakeTarget(() => okAsync(result({ stdout: "machine=x86_64\ndb=absent\n" })));
    await probeTarget(target, PATHS, { tools: ["sgdisk", "tar", "mkfs.ext4", "sgdisk"] });
    const tools = calls[0]!.argv.slice(5);
    expect(tools.filter((t) => t === "sgdisk")).toHaveLength(1);
    expect(tools.filter((t) => t === "tar")).toHaveLength(1);
    expect(tools).toContain("mkfs.ext4");
  });

  it("sends empty stdin for no paths", async () => {
    const { target, calls } = fakeTarget(() => okAsync(result({ stdout: "machine=x86_64\ndb=absent\n" })));
    await probeTarget(target, []);
    expect(calls[0]!.options?.stdin).toBe("");
  });

  it("fails with the probe's stderr when it exits non-zero", async () => {
    const { target } = fakeTarget(() => okAsync(result({ exitCode: 127, stderr: "sh: not found\n" })));
    const error = (await probeTarget(target, PATHS))._unsafeUnwrapErr();
    expect(error.code).toBe("PROBE");
    expect(error.message).toContain("ssh://root@203.0.113.7");
    expect(error.message).toContain("127");
    expect(error.details).toBe("sh: not found\n");
  });

  it("passes a transport error through unchanged", async () => {
    const broken = new TransportError("connection reset by peer");
    const { target } = fakeTarget(() => errAsync(broken));
    expect((await probeTarget(target, PATHS))._unsafeUnwrapErr()).toBe(broken);
  });

  it("names the candidates to onCandidates once, at candidates=end, from lines split across chunks", async () => {
    const out = `machine=x86_64\ndb=present\ncandidate=${OLD1}\ncandidate=${OLD2}\ncandidates=end\ninvalid=${OLD2}\n`;
    const heard: (readonly string[])[] = [];
    const { target } = fakeTarget((_argv, options) => {
      // Chunks cut inside a line and inside the end mark, as a pipe may deliver them.
      const cuts = [25, 40, 90, out.indexOf("candidates=end") + 5, out.length - 3, out.length];
      let from = 0;
      for (const to of cuts) {
        options?.onStdout?.(new TextEncoder().encode(out.slice(from, to)));
        from = to;
      }
      return okAsync(result({ stdout: out }));
    });
    const facts = (await probeTarget(target, PATHS, { onCandidates: (c) => heard.push(c) }))._unsafeUnwrap();
    expect(heard).toEqual([[OLD1, OLD2]]);
    expect(facts.predecessors).toEqual(new Set([OLD1]));
  });

  it("does not call onCandidates when the probe ends before naming them", async () => {
    const heard: (readonly string[])[] = [];
    const { target } = fakeTarget((_argv, options) => {
      options?.onStdout?.(new TextEncoder().encode("machine=x86_64\ndb=absent\n"));
      return okAsync(result({ stdout: "machine=x86_64\ndb=absent\n" }));
    });
    await probeTarget(target, PATHS, { onCandidates: (c) => heard.push(c) });
    expect(heard).toEqual([]);
  });

  it("reports an error= line as a failed probe", async () => {
    const { target } = fakeTarget(() =>
      okAsync(result({ stdout: "machine=x86_64\ndb=present\nerror=nix-store could not read the target database\n" })),
    );
    expect((await probeTarget(target, PATHS))._unsafeUnwrapErr().message).toBe("nix-store could not read the target database");
  });
});

/**
 * The real PROBE_SCRIPT, run by a real sh on a root built in a temp folder. PATH holds only
 * a folder of chosen commands, so which tools the probe finds is known exactly.
 */
describe("PROBE_SCRIPT under a real sh", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const which = (cmd: string): string | undefined => {
    const r = spawnSync("sh", ["-c", 'command -v "$1"', "sh", cmd], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };

  function scratch(): { root: string; bin: string } {
    const base = mkdtempSync(join(tmpdir(), "nixos-via-probe-"));
    dirs.push(base);
    const root = join(base, "root");
    const bin = join(base, "bin");
    mkdirSync(join(root, "nix/var/nix/profiles"), { recursive: true });
    mkdirSync(bin);
    // What the script needs to run at all; none of these is a tool it reports. xargs runs
    // the root's nix-store through sh.
    for (const cmd of ["uname", "readlink", "xargs", "grep", "sed", "find", "wc", "cat", "sh"]) {
      const real = which(cmd);
      if (real === undefined) throw new Error(`the test needs ${cmd}`);
      symlinkSync(real, join(bin, cmd));
    }
    return { root, bin };
  }

  /** A target whose commands run here, through child_process: a minimal local transport. */
  function localTarget(root: string, bin: string): Target {
    return {
      uri: `dir:${root}`,
      root,
      capabilities: { root: false, remote: false, hostNix: false, running: false },
      exec(argv, options) {
        const [cmd, ...args] = argv;
        const r = spawnSync(cmd === "sh" ? (which("sh") ?? "/bin/sh") : cmd!, args, {
          input: typeof options?.stdin === "string" ? options.stdin : "",
          encoding: "utf8",
          env: { ...options?.env, PATH: bin },
        });
        return r.error
          ? errAsync(new TransportError(r.error.message))
          : okAsync({ exitCode: r.status ?? 1, stdout: r.stdout, stderr: r.stderr });
      },
      close: () => okAsync(undefined),
    };
  }

  const uname = spawnSync("uname", ["-m"], { encoding: "utf8" }).stdout.trim();
  const release = spawnSync("uname", ["-r"], { encoding: "utf8" }).stdout.trim();

  it("reports machine, exactly the tools on PATH, generations and db=absent", async () => {
    const { root, bin } = scratch();
    const profiles = join(root, "nix/var/nix/profiles");
    symlinkSync(OLD1, join(profiles, "system-1-link"));
    symlinkSync(OLD2, join(profiles, "system-2-link"));
    symlinkSync(OLD10, join(profiles, "system-10-link"));
    symlinkSync("system-2-link", join(profiles, "system"));
    const fake = "#!/bin/sh\nexit 0\n";
    for (const tool of ["tar", "gzip", "unshare"]) writeFileSync(join(bin, tool), fake, { mode: 0o755 });

    const r = spawnSync(which("sh")!, ["-c", PROBE_SCRIPT, "nixos-via-probe", root, "tar", "zstd", "gzip", "unshare", "chroot"], {
      input: `${PATHS.join("\n")}\n`,
      encoding: "utf8",
      env: { PATH: bin },
    });
    expect(r.status, r.stderr).toBe(0);
    // filesystem= and feature= lines come from this host's kernel: checked in their own
    // test; the free memory changes from one moment to the next.
    expect(r.stdout).toMatch(/^mem_available_kib=\d+$/m);
    const own = r.stdout.split("\n").filter((l) => l !== "" && !/^(filesystem|feature|mem_available_kib)=/.test(l));
    expect(own.sort()).toEqual(
      [
        `machine=${uname}`,
        `kernel=${release}`,
        "tool=tar",
        "tool=gzip",
        "tool=unshare",
        `generation=system-1-link ${OLD1}`,
        `generation=system-2-link ${OLD2}`,
        `generation=system-10-link ${OLD10}`,
        "profile=system-2-link",
        "db=absent",
      ].sort(),
    );

    const facts = parseProbeOutput(r.stdout, PATHS)._unsafeUnwrap();
    expect(facts).toMatchObject({
      machine: uname,
      hasNixDb: false,
      registered: new Set(),
      staged: new Set(),
      generations: [
        { number: 1, toplevel: OLD1 },
        { number: 2, toplevel: OLD2 },
        { number: 10, toplevel: OLD10 },
      ],
      currentGeneration: 2,
      tools: new Set(["tar", "gzip", "unshare"]),
    });
  });

  it("probes an empty root through probeTarget", async () => {
    const { root, bin } = scratch();
    const facts = (await probeTarget(localTarget(root, bin), PATHS))._unsafeUnwrap();
    expect(facts).toMatchObject({
      machine: uname,
      hasNixDb: false,
      registered: new Set(),
      staged: new Set(),
      generations: [],
      currentGeneration: undefined,
      tools: new Set(),
    });
  });

  it("reports every filesystem of /proc/filesystems (nodev ones too) and only known kernel features", async () => {
    const { root, bin } = scratch();
    const facts = (await probeTarget(localTarget(root, bin), PATHS))._unsafeUnwrap();
    let expected = new Set<string>();
    try {
      const proc = readFileSync("/proc/filesystems", "utf8");
      // "nodev" lines count too: a layout mounts tmpfs (disko's nodev entries).
      expected = new Set(proc.split("\n").map((l) => l.split(/\s+/).filter(Boolean).at(-1) ?? "").filter(Boolean));
    } catch {
      // not Linux: the probe reports none
    }
    // This host has no module tree (TESTBED.md), so only what the kernel has now is reported.
    expect(facts.filesystems).toEqual(expected);
    expect(facts.filesystems.has("tmpfs")).toBe(true);
    for (const f of facts.kernelFeatures) expect(["device-mapper", "dm-crypt", "md"]).toContain(f);
  });

  it("reports store paths an interrupted copy left complete (marked) in the staging folder", async () => {
    const { root, bin } = scratch();
    const incoming = join(root, "nix/store/.nixos-via-incoming");
    mkdirSync(join(incoming, ".done"), { recursive: true });
    const name = (p: string) => p.slice("/nix/store/".length);
    mkdirSync(join(incoming, name(B)));
    writeFileSync(join(incoming, name(B), "data"), "12345");
    writeFileSync(join(incoming, ".done", name(B)), "files=1 bytes=5 links=0 dirs=1\n");
    mkdirSync(join(incoming, name(C))); // half-copied: no marker
    // Marked, but a full disk cut its file short: the marker's manifest says 5 bytes.
    mkdirSync(join(incoming, name(A)));
    writeFileSync(join(incoming, name(A), "data"), "12");
    writeFileSync(join(incoming, ".done", name(A)), "files=1 bytes=5 links=0 dirs=1\n");
    const facts = (await probeTarget(localTarget(root, bin), PATHS))._unsafeUnwrap();
    expect(facts.staged).toEqual(new Set([B]));
    // Without the tools to check a staged path, none is trusted.
    for (const tool of ["find", "wc"]) rmSync(join(bin, tool));
    expect((await probeTarget(localTarget(root, bin), PATHS))._unsafeUnwrap().staged).toEqual(new Set());
  });

  it("asks the target's nix-store which paths are invalid when there is a database", async () => {
    const { root, bin } = scratch();
    mkdirSync(join(root, "nix/var/nix/db"), { recursive: true });
    writeFileSync(join(root, "nix/var/nix/db/db.sqlite"), "");
    // A stand-in for `nix-store --store local?root=ROOT --check-validity --print-invalid PATHS…`
    // that calls the bash path invalid and logs how it was called.
    writeFileSync(
      join(bin, "nix-store"),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> "${root}/../nix-store.log"\nfor a; do case $a in *-bash-*) echo "$a";; esac; done\n`,
      { mode: 0o755 },
    );
    const facts = (await probeTarget(localTarget(root, bin), PATHS))._unsafeUnwrap();
    expect(facts.hasNixDb).toBe(true);
    expect(facts.registered).toEqual(new Set([A, C]));
    expect(facts.tools).toEqual(new Set(["nix-store"]));
    const log = spawnSync("cat", [join(root, "../nix-store.log")], { encoding: "utf8" }).stdout;
    expect(log).toBe(`--store local?root=${root} --check-validity --print-invalid ${PATHS.join(" ")}\n`);
  });

  it("names the predecessor candidates before the target's nix-store runs", async () => {
    const { root, bin } = scratch();
    mkdirSync(join(root, "nix/var/nix/db"), { recursive: true });
    writeFileSync(join(root, "nix/var/nix/db/db.sqlite"), "");
    mkdirSync(join(root, "nix/store", OLD1.slice("/nix/store/".length)), { recursive: true });
    for (const cmd of ["ls", "awk", "sleep"]) symlinkSync(which(cmd)!, join(bin, cmd));
    // The stand-in nix-store waits (up to 5 s) for the caller to have heard the candidates,
    // and says so in what it prints, so a probe naming them only afterwards fails here.
    const heard = join(root, "../heard");
    writeFileSync(
      join(bin, "nix-store"),
      `#!/bin/sh\ni=0\nwhile [ ! -e "${heard}" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done\n[ -e "${heard}" ] || echo /nix/store/late-nix-store-ran-first\n`,
      { mode: 0o755 },
    );
    const streaming: Target = {
      ...localTarget(root, bin),
      exec(argv, options) {
        const [cmd, ...args] = argv;
        return ResultAsync.fromSafePromise(
          new Promise<ExecResult>((resolve) => {
            const child = spawn(cmd === "sh" ? (which("sh") ?? "/bin/sh") : cmd!, args, { env: { ...options?.env, PATH: bin } });
            let stdout = "";
            child.stdout.on("data", (d: Buffer) => {
              stdout += d.toString();
              options?.onStdout?.(d);
            });
            child.stdin.end(typeof options?.stdin === "string" ? options.stdin : "");
            child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout, stderr: "" }));
          }),
        );
      },
    };
    let named: readonly string[] | undefined;
    const facts = (await probeTarget(streaming, PATHS, { onCandidates: (c) => { named = c; writeFileSync(heard, ""); } }))._unsafeUnwrap();
    expect(named).toEqual([OLD1]);
    expect(facts.predecessors).toEqual(new Set([OLD1]));
  });

  it("never runs the root's own nix-store on a tree of this machine (hostNix)", async () => {
    const { root, bin } = scratch();
    mkdirSync(join(root, "nix/var/nix/db"), { recursive: true });
    writeFileSync(join(root, "nix/var/nix/db/db.sqlite"), "");
    const log = join(root, "../calls.log");
    // A chroot that would succeed: without hostNix the probe runs the root's nix-store with it.
    writeFileSync(join(bin, "chroot"), `#!/bin/sh\necho "chroot $*" >> "${log}"\n`, { mode: 0o755 });
    writeFileSync(join(bin, "nix-store"), `#!/bin/sh\necho "nix-store $1" >> "${log}"\n`, { mode: 0o755 });
    const read = async (hostNix: boolean) => {
      rmSync(log, { force: true });
      const target = { ...localTarget(root, bin), capabilities: { root: false, remote: false, hostNix, running: false } };
      (await probeTarget(target, PATHS))._unsafeUnwrap();
      return readFileSync(log, "utf8");
    };
    expect(await read(false)).toContain("chroot ");
    expect(await read(true)).toBe(`nix-store --store\n`);
  });

  it("reports a database it has no nix-store to read", async () => {
    const { root, bin } = scratch();
    mkdirSync(join(root, "nix/var/nix/db"), { recursive: true });
    writeFileSync(join(root, "nix/var/nix/db/db.sqlite"), "");
    const error = (await probeTarget(localTarget(root, bin), PATHS))._unsafeUnwrapErr();
    expect(error.code).toBe("PROBE");
    expect(error.message).toBe("the target has a Nix database but no nix-store to read it with");
  });

  it("reports a nix-store that fails to read the database", async () => {
    const { root, bin } = scratch();
    mkdirSync(join(root, "nix/var/nix/db"), { recursive: true });
    writeFileSync(join(root, "nix/var/nix/db/db.sqlite"), "");
    writeFileSync(join(bin, "nix-store"), "#!/bin/sh\necho 'error: database is corrupt' >&2\nexit 1\n", { mode: 0o755 });
    const error = (await probeTarget(localTarget(root, bin), PATHS))._unsafeUnwrapErr();
    expect(error.message).toBe("nix-store could not read the target database");
  });
});
