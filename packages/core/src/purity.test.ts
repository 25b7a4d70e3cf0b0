import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Core decides, it does not do (ARCHITECTURE.md): no non-test source file of core may reach
 * for I/O. The check reads the syntax tree, so comments and strings (the shell scripts core
 * carries, the `process.stdout` of a TSDoc example) never count, and code always does.
 */
const FORBIDDEN_MODULES = new Set(["execa", "ssh2", ...builtinModules.filter((m) => !m.startsWith("_"))]);

function forbiddenModule(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  const base = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
  return FORBIDDEN_MODULES.has(base);
}

/** Every use of I/O in one file's source text, as `line: what`. */
function findImpurities(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node, what: string): void => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${line + 1}: ${what}`);
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (forbiddenModule(node.moduleSpecifier.text)) report(node, `imports "${node.moduleSpecifier.text}"`);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      report(node, "uses import = require()");
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword && arg && ts.isStringLiteralLike(arg) && forbiddenModule(arg.text)) {
        report(node, `imports "${arg.text}" dynamically`);
      }
      if (ts.isIdentifier(node.expression) && node.expression.text === "require") report(node, "calls require(");
    } else if (ts.isImportTypeNode(node)) {
      // `import("node:fs").Stats` in a type is harmless at run time, but still couples core to Node.
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal) && forbiddenModule(arg.literal.text)) {
        report(node, `imports "${arg.literal.text}" in a type`);
      }
    } else if (ts.isIdentifier(node) && node.text === "process") {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isPropertySignature(parent) && parent.name === node) ||
        (ts.isPropertyDeclaration(parent) && parent.name === node) ||
        (ts.isMethodDeclaration(parent) && parent.name === node);
      if (!isPropertyName) report(node, "uses process");
    } else if (ts.isPropertyAccessExpression(node) && node.name.text === "process" && ts.isIdentifier(node.expression) && node.expression.text === "globalThis") {
      report(node, "uses globalThis.process");
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const SRC = fileURLToPath(new URL(".", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("core purity", () => {
  const files = sourceFiles(SRC);

  it("finds core's sources", () => {
    expect(files.map((f) => relative(SRC, f))).toEqual(expect.arrayContaining(["index.ts", "closure/narHash.ts", "pipeline/runPlan.ts"]));
  });

  it("no non-test source file of core uses I/O", () => {
    const problems = files.flatMap((f) => findImpurities(f, readFileSync(f, "utf8")).map((p) => `${relative(SRC, f)}:${p}`));
    expect(problems).toEqual([]);
  });

  describe("the checker", () => {
    it.each([
      ['import { execa } from "execa";', 'imports "execa"'],
      ['import { Client } from "ssh2";', 'imports "ssh2"'],
      ['import { readFile } from "node:fs/promises";', 'imports "node:fs/promises"'],
      ['import fs from "fs";', 'imports "fs"'],
      ['import { writeFile } from "fs/promises";', 'imports "fs/promises"'],
      ['import { spawn } from "child_process";', 'imports "child_process"'],
      ['import * as net from "net";', 'imports "net"'],
      ['import os from "os";', 'imports "os"'],
      ['import "node:os";', 'imports "node:os"'],
      ['import type { Socket } from "node:net";', 'imports "node:net"'],
      ['export { spawn } from "node:child_process";', 'imports "node:child_process"'],
      ['export * from "os";', 'imports "os"'],
      ['const fs = await import("node:fs");', 'imports "node:fs" dynamically'],
      ['const fs = require("fs");', "calls require("],
      ['import fs = require("fs");', "uses import = require()"],
      ["const home = process.env.HOME;", "uses process"],
      ["process.exitCode = 1;", "uses process"],
      ["const { argv } = process;", "uses process"],
      ["globalThis.process.exit(1);", "uses globalThis.process"],
      ['let s: import("node:fs").Stats;', 'imports "node:fs" in a type'],
    ])("catches %s", (code, what) => {
      expect(findImpurities("bad.ts", `// line one\n${code}\n`)).toContain(`2: ${what}`);
    });

    it.each([
      ['import { ok } from "neverthrow";'],
      ['import { planCopy } from "./planCopy.js";'],
      ["/** @example process.stdout.write(formatPlan(plan)); */ export const a = 1;"],
      ['// const fs = require("fs");'],
      ['export const SCRIPT = `tar -x -f - -C "$incoming"; import fs from "fs"; process.exit`;'],
      ['export const s = "require(\'fs\') process.env";'],
      ["export const o = { process: 1 }; o.process;"],
      ['import { x } from "fsevents-like-name";'],
    ])("leaves alone %s", (code) => {
      expect(findImpurities("good.ts", code)).toEqual([]);
    });
  });
});
