import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findCpuQuota } from "./cpuQuota.js";

let trees: string[] = [];
afterEach(() => {
  for (const t of trees) rmSync(t, { recursive: true, force: true });
  trees = [];
});

/** A tree of system files as /proc and /sys show them: path → content. */
function system(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "cpu-quota-"));
  trees.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("findCpuQuota", () => {
  it("cgroup v2: the tightest cpu.max on the way up, with the usage of the cgroup that sets it", () => {
    const sys = system({
      "proc/self/cgroup": "0::/system.slice/build.service\n",
      "sys/fs/cgroup/cgroup.procs": "",
      "sys/fs/cgroup/system.slice/cgroup.procs": "",
      "sys/fs/cgroup/system.slice/cpu.max": "150000 100000\n",
      "sys/fs/cgroup/system.slice/cpu.stat": "usage_usec 7000000\nuser_usec 5000000\n",
      "sys/fs/cgroup/system.slice/build.service/cgroup.procs": "42\n",
      "sys/fs/cgroup/system.slice/build.service/cpu.max": "max 100000\n",
      "sys/fs/cgroup/system.slice/build.service/cpu.stat": "usage_usec 2000000\n",
    });
    const quota = findCpuQuota(sys);
    expect(quota?.cores).toBe(1.5);
    expect(quota?.usageMs()).toBe(7000);
  });

  it("cgroup v1 with cpu and cpuacct mounted together: cfs quota over period, cpuacct.usage in ns", () => {
    const sys = system({
      "proc/self/cgroup": "4:memory:/x\n3:cpu,cpuacct:/docker/abc\n0::/\n",
      "sys/fs/cgroup/cpu,cpuacct/cgroup.procs": "",
      "sys/fs/cgroup/cpu,cpuacct/docker/abc/cgroup.procs": "1\n",
      "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "50000\n",
      "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
      "sys/fs/cgroup/cpu,cpuacct/docker/abc/cpuacct.usage": "3500000000\n",
    });
    const quota = findCpuQuota(sys);
    expect(quota?.cores).toBe(0.5);
    expect(quota?.usageMs()).toBe(3500);
  });

  it("cgroup v1 in separate hierarchies, inside a container that sees its cgroup as the mount's top", () => {
    const sys = system({
      "proc/self/cgroup": "2:cpuacct:/docker/abc\n1:cpu:/docker/abc\n",
      "sys/fs/cgroup/cpu/cgroup.procs": "1\n",
      "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "200000\n",
      "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
      "sys/fs/cgroup/cpuacct/cgroup.procs": "1\n",
      "sys/fs/cgroup/cpuacct/cpuacct.usage": "1000000\n",
    });
    expect(findCpuQuota(sys)?.cores).toBe(2);
    expect(findCpuQuota(sys)?.usageMs()).toBe(1);
  });

  it("none where no quota is set, or nothing can be read", () => {
    expect(findCpuQuota(system({
      "proc/self/cgroup": "1:cpu:/\n0::/\n",
      "sys/fs/cgroup/cpu/cgroup.procs": "",
      "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n",
      "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
      "sys/fs/cgroup/cpuacct/cpuacct.usage": "5\n",
    }))).toBeUndefined();
    expect(findCpuQuota(system({ "proc/self/cgroup": "0::/\n", "sys/fs/cgroup/cgroup.procs": "", "sys/fs/cgroup/cpu.max": "max 100000\n" }))).toBeUndefined();
    expect(findCpuQuota(system({}))).toBeUndefined();
  });
});
