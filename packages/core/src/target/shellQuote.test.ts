import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellQuote } from "./shellQuote.js";

/** Runs `printf '%s\0' WORDS…` through a real POSIX sh and reads the words back. */
function throughShell(words: readonly string[]): string[] {
  const script = `printf '%s\\0' ${shellQuote(words)}`;
  const out = execFileSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: "/nonexistent" } });
  return out.split("\0").slice(0, -1);
}

const TRICKY = [
  "it's",
  "'",
  "''",
  "'\\''",
  '"double"',
  "two words",
  "  leading and trailing  ",
  "tab\there",
  "line1\nline2",
  "ends with newline\n",
  "$HOME",
  "${HOME}",
  "$(echo injected)",
  "`echo injected`",
  "back\\slash",
  "\\",
  "trailing backslash\\",
  "",
  "*",
  "?",
  "[a-z]",
  "~",
  "~root",
  "a;b",
  "a&&b",
  "a|b",
  "a>b",
  "<",
  "#comment",
  "!",
  "{a,b}",
  "-n",
  "--",
  "unicode ünïcødé ✓ 日本",
  "emoji 🦀",
  "x=y",
  "%s",
  "nix-store --store local?root=/mnt",
  "build-users-group =",
];

describe("shellQuote", () => {
  it.each(TRICKY.map((w) => [JSON.stringify(w), w]))("a real sh reads %s back unchanged", (_name, word) => {
    expect(throughShell([word])).toEqual([word]);
  });

  it("keeps every word of a long argv apart", () => {
    expect(throughShell(TRICKY)).toEqual(TRICKY);
  });

  it("leaves plain words unquoted, so plans stay readable", () => {
    expect(shellQuote(["nix-store", "--load-db"])).toBe("nix-store --load-db");
    expect(shellQuote(["ln", "-sfn", "system-1-link", "/mnt/nix/var/nix/profiles/system"])).toBe(
      "ln -sfn system-1-link /mnt/nix/var/nix/profiles/system",
    );
    expect(shellQuote(["mkdir", "-p", "-m", "0755", "/mnt/a_b,c@d%e+f:g"])).toBe("mkdir -p -m 0755 /mnt/a_b,c@d%e+f:g");
  });

  it("quotes what the shell would read differently", () => {
    expect(shellQuote([""])).toBe("''");
    expect(shellQuote(["it's"])).toBe("'it'\\''s'");
    expect(shellQuote(["a b"])).toBe("'a b'");
    expect(shellQuote(["$HOME"])).toBe("'$HOME'");
    expect(shellQuote(["~"])).toBe("'~'");
    expect(shellQuote(["*"])).toBe("'*'");
  });

  it("quotes nothing for no words", () => {
    expect(shellQuote([])).toBe("");
  });

  // BUG: "=" counts as a plain character, so a first word like "A=b" stays unquoted and sh
  // reads it as a variable assignment instead of the command name.
  it("quotes a first word that sh would take for an assignment", () => {
    const out = execFileSync("sh", ["-c", `${shellQuote(["A=b", "x"])} 2>&1 || true`], { encoding: "utf8" });
    // Run as a command, "A=b" is not found; run as an assignment, "x" is the command not found.
    expect(out).toContain("A=b");
  });
});
