import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatRegistration } from "./formatRegistration.js";
import { parsePathInfoJson } from "./parsePathInfoJson.js";
import type { StorePathInfo } from "./StorePathInfo.js";

const fixture = (name: string): string => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");

/** Splits registration text into one string per path record (path, hash, size, deriver, count, refs). */
function records(text: string): string[] {
  const lines = text.split("\n");
  expect(lines.at(-1), "registration text ends with a newline").toBe("");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length - 1) {
    const count = Number(lines[i + 4]);
    expect(Number.isInteger(count), `reference count at line ${i + 5}`).toBe(true);
    out.push(lines.slice(i, i + 5 + count).join("\n"));
    i += 5 + count;
  }
  expect(i).toBe(lines.length - 1);
  return out;
}

/** dump-db prints the bare hex digest; ours carries the `sha256:` prefix that --load-db also reads. */
const withoutPrefix = (record: string): string => {
  const lines = record.split("\n");
  expect(lines[1]).toMatch(/^sha256:[0-9a-f]{64}$/);
  lines[1] = lines[1]!.slice("sha256:".length);
  return lines.join("\n");
};

const closure = (): StorePathInfo[] => parsePathInfoJson(fixture("nix-2.8-path-info.json"))._unsafeUnwrap();

describe("formatRegistration", () => {
  it("reproduces nix-store --dump-db of the same paths, record for record", () => {
    const ours = records(formatRegistration(closure())).map(withoutPrefix).sort();
    const theirs = records(fixture("nix-2.8-dump-db.txt")).sort();
    expect(theirs).toHaveLength(17);
    expect(ours).toEqual(theirs);
  });

  it("writes references sorted and an empty line for an unknown deriver", () => {
    const text = formatRegistration(closure());
    const kernel = records(text).find((r) => r.startsWith("/nix/store/4b3r4sjh2j0n9ibpff5v9pb7k9dn8mdv-vmlinuz"));
    expect(kernel).toBe(
      [
        "/nix/store/4b3r4sjh2j0n9ibpff5v9pb7k9dn8mdv-vmlinuz-6.1.0-56-amd64",
        "sha256:2f66d74bcbb22c5911da8a4eb91c52ab0b0cdf964758cc854c755df7bd3e4054",
        "8247344",
        "",
        "0",
      ].join("\n"),
    );
    for (const record of records(text)) {
      const refs = record.split("\n").slice(5);
      expect(refs).toEqual([...refs].sort());
    }
  });

  it("writes one exact record", () => {
    const info: StorePathInfo = {
      path: "/nix/store/00000000000000000000000000000000-a",
      narHash: `sha256:${"ab".repeat(32)}`,
      narSize: 120,
      references: ["/nix/store/00000000000000000000000000000000-a", "/nix/store/11111111111111111111111111111111-b"],
      deriver: "/nix/store/22222222222222222222222222222222-a.drv",
    };
    expect(formatRegistration([info])).toBe(
      "/nix/store/00000000000000000000000000000000-a\n" +
        `sha256:${"ab".repeat(32)}\n` +
        "120\n" +
        "/nix/store/22222222222222222222222222222222-a.drv\n" +
        "2\n" +
        "/nix/store/00000000000000000000000000000000-a\n" +
        "/nix/store/11111111111111111111111111111111-b\n",
    );
  });

  it("keeps the order of the paths it is given", () => {
    const paths = closure();
    const order = records(formatRegistration(paths)).map((r) => r.split("\n")[0]);
    expect(order).toEqual(paths.map((p) => p.path));
  });

  it("writes nothing for no paths", () => {
    expect(formatRegistration([])).toBe("");
  });

  const nixStore = spawnSync("nix-store", ["--version"], { encoding: "utf8" });
  it.skipIf(nixStore.status !== 0)("is read by a real nix-store --load-db (into a scratch database)", () => {
    const state = mkdtempSync(join(tmpdir(), "nixos-via-load-db-"));
    try {
      const env = { ...process.env, NIX_STATE_DIR: state, NIX_CONFIG: "build-users-group =" };
      execFileSync("nix-store", ["--load-db"], { input: formatRegistration(closure()), env });
      const dumped = execFileSync("nix-store", ["--dump-db"], { env, encoding: "utf8" });
      expect(records(dumped).sort()).toEqual(records(fixture("nix-2.8-dump-db.txt")).sort());
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
