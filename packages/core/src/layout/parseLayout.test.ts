import { describe, expect, it } from "vitest";
import { parseLayout } from "./parseLayout.js";

const root = { type: "filesystem", format: "ext4", mountpoint: "/" };

/** A one-disk layout around `content` of a GPT partition named `root`. */
function gptLayout(partitions: Record<string, unknown>): unknown {
  return { disk: { main: { type: "disk", content: { type: "gpt", partitions } } } };
}

function msdosLayout(start: string, end: string): unknown {
  return {
    disk: { main: { type: "disk", content: { type: "table", format: "msdos", partitions: [{ name: "nixos", start, end, content: root }] } } },
  };
}

const problemsOf = (json: unknown) => parseLayout(json).match(() => [], (e) => e.problems);

describe("parseLayout: msdos partition positions", () => {
  it("accepts every unit suffix parted accepts, single letters and any case included", () => {
    const positions = ["1M", "512M", "2G", "1T", "4K", "100%", "0%", "1MiB", "2GiB", "1TiB", "4KiB", "2048s", "1048576B", "1kB", "1MB", "1GB", "1TB", "1cyl", "1chs", "512m", "1mib", "1.5GiB", "-2GiB", "-1s", "0,1,0"];
    for (const start of positions) expect(problemsOf(msdosLayout(start, "100%")), start).toEqual([]);
  });

  it("refuses what parted refuses", () => {
    for (const start of ["512X", "M", "1 M", "0.5G", "1MiBs", "--1M"]) {
      expect(problemsOf(msdosLayout(start, "100%")).map((p) => p.path), start).toEqual(["disk.main.content.partitions[0].start"]);
    }
  });
});
