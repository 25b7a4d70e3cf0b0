import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { parseOptionValue } from "./parseOptionValue.js";

describe("parseOptionValue", () => {
  it.each([
    ["seconds", "30", 30],
    ["seconds", " 600 ", 600],
    ["count", "3", 3],
    ["days", "30d", 30],
    ["size", "4G", 4 * 1024 ** 3],
    ["size", "512MiB", 512 * 1024 ** 2],
    ["size", "1073741824", 1024 ** 3],
    ["size", "0", 0],
  ] as const)("%s reads %j", (kind, text, value) => {
    expect(parseOptionValue[kind](text)).toBe(value);
  });

  it.each([
    ["seconds", "abc"],
    ["seconds", ""],
    ["seconds", "0"],
    ["seconds", "-5"],
    ["seconds", "1.5"],
    ["seconds", "1e3"],
    ["seconds", "99999999999999999999"],
    ["count", "0"],
    ["count", "two"],
    ["days", "30"],
    ["days", "0d"],
    ["days", "1w"],
    ["size", "4X"],
    ["size", "99999999P"],
  ] as const)("%s refuses %j as a usage error", (kind, text) => {
    expect(() => parseOptionValue[kind](text)).toThrow(InvalidArgumentError);
  });
});
