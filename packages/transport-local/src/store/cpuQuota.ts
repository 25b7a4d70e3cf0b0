import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A CPU limit of this process's cgroup: at most `cores` cores' worth of time, of which the
 * cgroup (every process in it) has used `usageMs()` so far. A container given one CPU
 * (`docker --cpus=1`, a systemd `CPUQuota=100%`) on a 16-core host sees 16 idle cores in
 * `os.cpus()`; against its quota it may have none.
 */
export interface CpuQuota {
  readonly cores: number;
  readonly usageMs: () => number;
}

/**
 * The tightest CPU quota over this process's cgroup and its ancestors, cgroup v2
 * (`cpu.max`, `cpu.stat`) or v1 (`cpu.cfs_quota_us`, `cpuacct.usage`); `undefined` when
 * none is set or none can be read. `sys` is where the system's files are (`/`; a test
 * gives a tree of its own). A cgroup namespace (a container) shows its own cgroup as `/`;
 * where the named path is not mounted, the mount's own top is read, as inside a v1
 * container.
 *
 * @example
 * ```ts
 * const quota = findCpuQuota(); // { cores: 1, usageMs } in a container given one CPU
 * ```
 */
export function findCpuQuota(sys = "/"): CpuQuota | undefined {
  const memberships = (read(join(sys, "proc/self/cgroup")) ?? "").split("\n").flatMap((line) => {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    return first < 0 || second < 0 ? [] : [{ controllers: line.slice(first + 1, second).split(",").filter(Boolean), path: line.slice(second + 1) }];
  });
  const pathOf = (controller: string) => memberships.find((m) => m.controllers.includes(controller));
  const found: CpuQuota[] = [];
  const unified = memberships.find((m) => m.controllers.length === 0);
  if (unified) {
    const quota = tightest(join(sys, "sys/fs/cgroup"), unified.path, (dir) => {
      const [max, period = "100000"] = (read(join(dir, "cpu.max")) ?? "max").trim().split(/\s+/);
      return max === "max" || max === undefined ? undefined : Number(max) / Number(period);
    }, (dir) => {
      const usec = /^usage_usec (\d+)$/m.exec(read(join(dir, "cpu.stat")) ?? "")?.[1];
      return usec === undefined ? undefined : Number(usec) / 1000;
    });
    if (quota) found.push(quota);
  }
  const cpu = pathOf("cpu");
  if (cpu) {
    const cpuMount = mountOf(sys, "cpu", cpu.controllers);
    const acct = pathOf("cpuacct");
    const acctMount = acct ? mountOf(sys, "cpuacct", acct.controllers) : cpuMount;
    const quota = tightest(cpuMount, cpu.path, (dir) => {
      const q = Number(read(join(dir, "cpu.cfs_quota_us")));
      const period = Number(read(join(dir, "cpu.cfs_period_us")));
      return q > 0 && period > 0 ? q / period : undefined;
    }, (dir) => {
      // The cgroup that sets the quota, at the same path in the accounting hierarchy (the same
      // hierarchy where both are mounted together, as systemd and Docker do).
      const ns = read(join(acctMount, dir.slice(cpuMount.length), "cpuacct.usage"))?.trim();
      return ns === undefined || ns === "" ? undefined : Number(ns) / 1e6;
    });
    if (quota) found.push(quota);
  }
  return found.sort((a, b) => a.cores - b.cores)[0];
}

/** Where a v1 hierarchy is mounted: `cpu,cpuacct` on most systems, with links named after each controller. */
function mountOf(sys: string, controller: string, controllers: readonly string[]): string {
  const base = join(sys, "sys/fs/cgroup");
  for (const name of [controller, controllers.join(",")]) {
    const dir = join(base, name);
    if (read(join(dir, "cgroup.procs")) !== undefined) return dir;
  }
  return join(base, controller);
}

/**
 * The smallest quota on the way from the cgroup up to the mount's top, with the usage of
 * the cgroup that sets it. The named cgroup is tried under the mount, then the mount's
 * top alone (a namespaced container's view).
 */
function tightest(mount: string, path: string, quotaAt: (dir: string) => number | undefined, usageAt: (dir: string) => number | undefined): CpuQuota | undefined {
  const start = read(join(mount, path, "cgroup.procs")) !== undefined ? join(mount, path) : mount;
  let best: { cores: number; dir: string } | undefined;
  for (let dir = start; dir.startsWith(mount); dir = join(dir, "..")) {
    const cores = quotaAt(dir);
    if (cores !== undefined && Number.isFinite(cores) && (best === undefined || cores < best.cores)) best = { cores, dir };
    if (dir === mount) break;
  }
  if (best === undefined || usageAt(best.dir) === undefined) return undefined;
  const dir = best.dir;
  return { cores: best.cores, usageMs: () => usageAt(dir) ?? 0 };
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
