import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatSteps } from "../pipeline/formatPlan.js";
import type { Layout } from "./Layout.js";
import { layoutToNixosModule } from "./layoutToNixosModule.js";
import { parseLayout } from "./parseLayout.js";
import { planLayout, type LayoutPlan } from "./planLayout.js";

/**
 * disko's own example layouts (test/fixtures/disko-examples, derived from disko's
 * example/*.nix: see its README), each through check, plan and NixOS module, with golden
 * plans and modules. The plan is on the layout's own devices, as `layout --plan` makes it.
 */
const fixtures = fileURLToPath(new URL("../../../../test/fixtures/disko-examples/", import.meta.url));
const all = readdirSync(fixtures).filter((f) => f.endsWith(".json")).map((f) => f.replace(/\.json$/, "")).sort();
const read = (name: string): unknown => JSON.parse(readFileSync(`${fixtures}${name}.json`, "utf8"));
/** The examples that need ZFS or bcachefs, which nixos-via refuses (docs/layouts.md says why). */
const refused = all.filter((n) => /zfs|zpool|bcachefs/.test(readFileSync(`${fixtures}${n}.json`, "utf8")));
const accepted = all.filter((n) => !refused.includes(n));

function devicesOf(layout: Layout): Record<string, string> {
  return Object.fromEntries(Object.entries(layout.disk ?? {}).map(([key, disk]) => [key, disk.device as string]));
}

function render(p: LayoutPlan): string {
  return [
    `filesystems: ${p.filesystems.join(" ")}`,
    `kernel features: ${p.kernelFeatures.join(" ") || "-"}`,
    `tools: ${p.tools.join(" ")}`,
    `key files: ${p.keyFiles.join(" ") || "-"}`,
    ...p.mounts.map((m) => `mount: ${m.path} (${m.mountpoint}) ${m.fsType} ${m.options.join(",")} <- ${m.description}`),
    "",
    formatSteps([...p.steps, ...p.unmountSteps]),
  ].join("\n");
}

describe("disko's example layouts", () => {
  it("are all here: 38 examples, 31 of them without ZFS or bcachefs", () => {
    expect(all).toHaveLength(38);
    expect(accepted).toHaveLength(31);
  });

  it("accepts every one without ZFS or bcachefs: check, plan and module", () => {
    const ok = accepted.filter((name) => {
      const layout = parseLayout(read(name));
      return layout.isOk() && planLayout(layout.value, { devices: devicesOf(layout.value), mountRoot: "/mnt" }).isOk() && layoutToNixosModule(layout.value).length > 0;
    });
    expect(ok).toEqual(accepted);
  });

  for (const name of accepted) {
    it(`${name}: golden plan and NixOS module`, async () => {
      const layout = parseLayout(read(name))._unsafeUnwrap();
      const plan = planLayout(layout, { devices: devicesOf(layout), mountRoot: "/mnt" })._unsafeUnwrap();
      await expect(render(plan)).toMatchFileSnapshot(`../../../../test/fixtures/disko-examples/__golden__/${name}.plan.txt`);
      await expect(layoutToNixosModule(layout)).toMatchFileSnapshot(`../../../../test/fixtures/disko-examples/__golden__/${name}.module.nix`);
    });
  }

  for (const name of refused) {
    it(`${name}: refused for its ZFS or bcachefs, by name`, () => {
      const error = parseLayout(read(name))._unsafeUnwrapErr();
      expect(error.problems.some((p) => /ZFS|bcachefs|bcache/.test(p.message))).toBe(true);
    });
  }
});
