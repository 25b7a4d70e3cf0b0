import { describe, expect, it } from "vitest";
import {
  AbortedError,
  ClosureReadError,
  InvalidSystemError,
  NixosViaError,
  ProbeError,
  StepFailedError,
  TargetUnusableError,
  TransportError,
  UsageError,
} from "./index.js";

describe("errors", () => {
  it.each([
    [new UsageError("m"), "USAGE", "UsageError"],
    [new InvalidSystemError("/nix/store/x", "m"), "INVALID_SYSTEM", "InvalidSystemError"],
    [new ClosureReadError("m"), "CLOSURE_READ", "ClosureReadError"],
    [new TargetUnusableError("dir:/x", "m"), "TARGET_UNUSABLE", "TargetUnusableError"],
    [new TransportError("m"), "TRANSPORT", "TransportError"],
    [new ProbeError("m"), "PROBE", "ProbeError"],
    [new StepFailedError(2, "m"), "STEP_FAILED", "StepFailedError"],
  ])("%s has code %s and its own name", (error, code, name) => {
    expect(error).toBeInstanceOf(NixosViaError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.message).toBe("m");
  });

  it("an abort says how to finish the job", () => {
    const error = new AbortedError();
    expect(error.code).toBe("ABORTED");
    expect(error.message).toMatch(/run the same command again/);
  });

  it("keeps cause, details and the fields of each kind", () => {
    const cause = new Error("EPIPE");
    const step = new StepFailedError(3, "register failed", { exitCode: 1, details: "tail", cause });
    expect(step.stepIndex).toBe(3);
    expect(step.exitCode).toBe(1);
    expect(step.details).toBe("tail");
    expect(step.cause).toBe(cause);
    expect(new InvalidSystemError("/nix/store/x", "m").path).toBe("/nix/store/x");
    expect(new TargetUnusableError("disk:/dev/sdb", "m").uri).toBe("disk:/dev/sdb");
  });

  it("serialises to one NDJSON-ready object without cause, and without details when there are none", () => {
    const withDetails = new ProbeError("probe failed", { details: "stderr", cause: new Error("secret") });
    expect(JSON.parse(JSON.stringify(withDetails))).toEqual({ name: "ProbeError", code: "PROBE", message: "probe failed", details: "stderr" });
    expect(JSON.parse(JSON.stringify(new UsageError("bad uri")))).toEqual({ name: "UsageError", code: "USAGE", message: "bad uri" });
  });
});
