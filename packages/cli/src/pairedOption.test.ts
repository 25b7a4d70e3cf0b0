import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { collectPair, joinPairedOption } from "./pairedOption.js";

const FLAG = "--disk-encryption-keys";

describe("joinPairedOption", () => {
  it("joins the two words after each flag, so the target after them stays the target", () => {
    const argv = joinPairedOption(["install", FLAG, "/tmp/a", "./a", FLAG, "/tmp/b", "b", "ssh://h"], FLAG);
    expect(argv).toEqual(["install", FLAG, "/tmp/a\u0000./a", FLAG, "/tmp/b\u0000b", "ssh://h"]);
    expect(argv.slice(1).reduce<{ remote: string; local: string }[]>((acc, v, i) => (i % 2 === 1 ? collectPair(v, acc) : acc), [])).toEqual([
      { remote: "/tmp/a", local: "./a" },
      { remote: "/tmp/b", local: "b" },
    ]);
  });

  it("leaves a flag without two values, and everything after --, for commander to judge", () => {
    expect(joinPairedOption(["install", FLAG, "/tmp/a", "--json"], FLAG)).toEqual(["install", FLAG, "/tmp/a", "--json"]);
    expect(joinPairedOption(["enter", "--", FLAG, "a", "b"], FLAG)).toEqual(["enter", "--", FLAG, "a", "b"]);
    expect(() => collectPair("/tmp/a", [])).toThrow(InvalidArgumentError);
  });
});
