import { afterAll, beforeAll } from "vitest";
import type { Vm } from "./qemu.js";
import { removeTree, tempRoot } from "./tempRoot.js";

/** A temp folder for a VM test file and the VMs it starts, stopped and removed after all its tests, also when they fail. */
export function useVmWorkspace(prefix: string): { readonly dir: () => string; readonly track: (vm: Vm) => Vm } {
  let work: string | undefined;
  const vms: Vm[] = [];
  beforeAll(async () => {
    work = await tempRoot(prefix);
  });
  afterAll(async () => {
    for (const vm of vms) await vm.stop();
    if (work !== undefined) await removeTree(work);
  });
  return {
    dir: () => {
      if (work === undefined) throw new Error("the workspace exists only while the tests run");
      return work;
    },
    track: (vm) => {
      vms.push(vm);
      return vm;
    },
  };
}
