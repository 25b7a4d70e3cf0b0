import { chmod, mkdtemp, readdir, lstat, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory usable as a system root (owned by root, mode 0755). */
export async function tempRoot(prefix = "nixos-via-test-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function removeTree(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Everything under a directory, as lines of path, type, mode, size, mtime and link target:
 * a fingerprint that changes when anything is added, removed or changed in place.
 * Folders' mtimes are left out: reading a Nix database (SQLite) creates and removes a
 * journal beside it, which touches its folder and nothing else.
 */
export async function treeFingerprint(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const st = await lstat(p);
      const link = st.isSymbolicLink() ? ` -> ${await readlink(p)}` : "";
      const mtime = st.isDirectory() ? "" : ` ${st.mtimeMs}`;
      out.push(`${p.slice(dir.length)} ${st.mode.toString(8)} ${st.size}${mtime}${link}`);
      if (st.isDirectory()) await walk(p);
    }
  }
  await walk(dir);
  return out;
}
