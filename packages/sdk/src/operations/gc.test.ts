import { describe, expect, it } from "vitest";
import { gc } from "./gc.js";

// gc reads --older-than as the CLI writes it ("30d"), checked before any target is opened.
describe("gc's options", () => {
  it.each([
    [{ olderThan: "soon" }, /--older-than soon: give whole seconds, at least 1, e.g. 30 or 10m/],
    [{ olderThan: "36h" }, /--older-than 36h: give whole days, e.g. 30d/],
    [{ keep: 2, olderThan: "30d" }, /exactly one of --keep N or --older-than DAYSd/],
    [{}, /exactly one of --keep N or --older-than DAYSd/],
  ])("refuses %o as a usage error", async (options, message) => {
    const r = await gc({ target: "dir:/nonexistent-root", ...options });
    expect(r.isErr() && r.error.code).toBe("USAGE");
    expect(r.isErr() && r.error.message).toMatch(message);
  });

  it("takes 30d, then goes on to open the target", async () => {
    const r = await gc({ target: "dir:/nonexistent-root", olderThan: "30d" });
    expect(r.isErr() && r.error.code).toBe("TARGET_UNUSABLE");
  });
});
