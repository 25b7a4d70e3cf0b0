import { execa } from "execa";

/** Nix without a daemon, as root, offline (TESTBED.md). */
export const NIX_ENV = {
  NIX_CONFIG: "build-users-group =\nexperimental-features = nix-command\nsubstituters =",
};

const repo = new URL("../../", import.meta.url).pathname;

/** Builds examples/mini-system and returns its toplevel. */
export async function buildMiniSystem(args: Record<string, string> = {}): Promise<string> {
  const argv = ["examples/mini-system", "--no-out-link"];
  for (const [k, v] of Object.entries(args)) argv.push("--argstr", k, v);
  const r = await execa("nix-build", argv, { cwd: repo, env: NIX_ENV });
  return r.stdout.trim();
}

/** Runs a Nix command and returns its stdout. */
export async function nix(argv: string[]): Promise<string> {
  const [file, ...args] = argv;
  const r = await execa(file!, args, { env: NIX_ENV });
  return r.stdout;
}

/** The closure of a store path in this machine's store, sorted. */
export async function closureOf(path: string): Promise<string[]> {
  return (await nix(["nix-store", "-qR", path])).split("\n").filter(Boolean).sort();
}
