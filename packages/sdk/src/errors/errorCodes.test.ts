import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResultAsync } from "neverthrow";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as core from "@nixos-via/core";
import * as ssh from "@nixos-via/transport-ssh";
import { ERROR_CODES, NixosViaError, type ErrorCode } from "@nixos-via/core";
import type { deploy, enter, gc, generations, install, rollback } from "../index.js";
import type { DeployErrorCode, EnterErrorCode, GcErrorCode, GenerationsErrorCode, InstallErrorCode, RollbackErrorCode } from "./operationErrorCodes.js";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));

/** One instance of every error class the packages export; a new class must be added here. */
const INSTANCES: readonly NixosViaError[] = [
  new core.UsageError("m"),
  new core.InvalidSystemError("/nix/store/x", "m"),
  new core.ClosureReadError("m"),
  new core.TargetUnusableError("dir:/x", "m"),
  new core.TransportError("m"),
  new core.ProbeError("m"),
  new core.StepFailedError(0, "m"),
  new core.AbortedError(),
  new core.LayoutValidationError([{ path: "disk", message: "m" }]),
  new core.SystemNotUpError("m"),
  new core.DeployRolledBackError("m"),
  new core.DeployRollbackFailedError("m"),
  new core.DeployNoPreviousGenerationError("m"),
  new ssh.SshHostKeyUnknownError("h", "SHA256:x", "known_hosts"),
  new ssh.SshHostKeyMismatchError("h", "SHA256:x", "known_hosts"),
  new ssh.SshConfigError("m"),
  new ssh.SshConnectError("m"),
  new ssh.SshSudoError("m"),
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "dist" ? [] : sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Every code the packages' sources hand to an error's constructor. */
function codesInSources(): Set<string> {
  const found = new Set<string>();
  for (const pkg of readdirSync(join(REPO, "packages"))) {
    for (const file of sources(join(REPO, "packages", pkg, "src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/(?:super|NixosViaError)\(\s*"([A-Z_]+)"/g)) found.add(m[1]!);
    }
  }
  return found;
}

describe("error codes", () => {
  it("every exported error class is covered, and its code is in ErrorCode", () => {
    const classes = [...Object.values(core), ...Object.values(ssh)].filter(
      (v): v is typeof NixosViaError => typeof v === "function" && v.prototype instanceof NixosViaError,
    );
    expect(new Set(classes.map((c) => c.name))).toEqual(new Set(INSTANCES.map((e) => e.constructor.name)));
    for (const e of INSTANCES) expect(ERROR_CODES).toContain(e.code);
  });

  it("ErrorCode is exactly the codes the sources use", () => {
    expect(new Set(ERROR_CODES)).toEqual(codesInSources());
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  it("every code is one some operation ends with", () => {
    expectTypeOf<InstallErrorCode | DeployErrorCode | RollbackErrorCode | GcErrorCode | GenerationsErrorCode | EnterErrorCode>().toEqualTypeOf<ErrorCode>();
  });

  it("docs/cli.md lists exactly the codes of ErrorCode", () => {
    const text = readFileSync(join(REPO, "docs/cli.md"), "utf8");
    const sentence = /The `code` in JSON is stable:([^.]*)\./.exec(text)?.[1] ?? "";
    const listed = [...sentence.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]);
    expect(listed).toEqual([...ERROR_CODES]);
  });

  it("each operation's error carries its own codes", () => {
    type ErrorOf<F extends (...args: never[]) => ResultAsync<unknown, unknown>> = ReturnType<F> extends ResultAsync<unknown, infer E> ? E : never;
    expectTypeOf<ErrorOf<typeof install>["code"]>().toEqualTypeOf<InstallErrorCode>();
    expectTypeOf<ErrorOf<typeof deploy>["code"]>().toEqualTypeOf<DeployErrorCode>();
    expectTypeOf<ErrorOf<typeof rollback>["code"]>().toEqualTypeOf<RollbackErrorCode>();
    expectTypeOf<ErrorOf<typeof gc>["code"]>().toEqualTypeOf<GcErrorCode>();
    expectTypeOf<ErrorOf<typeof generations>["code"]>().toEqualTypeOf<GenerationsErrorCode>();
    expectTypeOf<ErrorOf<typeof enter>["code"]>().toEqualTypeOf<EnterErrorCode>();
    expectTypeOf<InstallErrorCode>().not.toEqualTypeOf<ErrorCode>();
  });
});
