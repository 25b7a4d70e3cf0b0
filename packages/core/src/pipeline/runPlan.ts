import { err, errAsync, ok, okAsync, ResultAsync, type Result } from "neverthrow";
import type { ClosureSource, PathExport } from "../closure/ClosureSource.js";
import { AbortedError, StepFailedError, TransportError, type NixosViaError } from "../errors/index.js";
import type { ExecInput, Target } from "../target/index.js";
import type { PipelineEvent } from "./PipelineEvent.js";
import { switchDetached } from "../deploy/switchDetached.js";
import type { SwitchOutcome } from "../deploy/SwitchOutcome.js";
import { reconnectUntil } from "../target/reconnectUntil.js";
import { SystemNotUpError, waitForSystem } from "../target/waitForSystem.js";
import { foldedAfterCopy, foldedArgv, foldedLength, foldTag, parseFoldMark, type FoldedCommand } from "./foldRunSteps.js";
import type { CopyClosureStep, CopyFilesStep, Plan, RunStep, Step, StepOutputs, SwitchStep, WaitForInstallerStep, WaitForSystemStep } from "./Step.js";

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  readonly target: Target;
  /** Needed when the plan copies store paths. */
  readonly source?: ClosureSource;
  /** Receives every event of the run, in order. @default ignore them */
  readonly onEvent?: (event: PipelineEvent) => void;
  /** Stops the run between steps and aborts the running command. */
  readonly signal?: AbortSignal;
  /** The bytes of the secrets steps read (`secretStdin`), by name; never part of the plan or its events. @default none */
  readonly secrets?: ReadonlyMap<string, Uint8Array>;
}

/** What a finished run did. */
export interface RunSummary {
  readonly durationMs: number;
  /**
   * Store paths this run delivered: those of each copy step that succeeded, and over a
   * remote target (the later steps run in the copy's command) those its receiver took
   * whole, though a later step or this machine's side of the copy failed after that.
   */
  readonly copiedPaths: number;
  /** Bytes that crossed to the target: the copy stream after compression. */
  readonly copiedBytes: number;
  /** What steps handed on: the stdout of those that asked for it (`capture`). */
  readonly outputs: StepOutputs;
  /** How a `switch` step ended; a switch that did not stick is an outcome, not an error. */
  readonly switchOutcome?: SwitchOutcome | undefined;
}

/** Whether a switch outcome means the new system is in place. */
export function switchSucceeded(outcome: SwitchOutcome): boolean {
  return outcome.kind === "done" || outcome.kind === "confirmed";
}

/** How many output lines a failed step's error carries. */
const TAIL_LINES = 40;
/** Progress events are rate-limited: a copy of gigabytes must not flood `--json` output. */
const PROGRESS_INTERVAL_MS = 200;

/**
 * Applies a plan's steps to a target, in order, stopping at the first failure. Emits
 * `plan`, then `phase`/`step-start`/`output`/`progress`/`step-end` per step, then `done`.
 *
 * @example
 * ```ts
 * const summary = await runPlan(plan, { target, source, onEvent: (e) => console.log(e.type) });
 * if (summary.isErr()) process.exitCode = 1;
 * ```
 */
export function runPlan(plan: Plan, options: RunPlanOptions): ResultAsync<RunSummary, NixosViaError> {
  return new ResultAsync(run(plan, options));
}

async function run(plan: Plan, options: RunPlanOptions): Promise<Result<RunSummary, NixosViaError>> {
  const emit = options.onEvent ?? (() => {});
  const started = Date.now();
  let copiedPaths = 0;
  let copiedBytes = 0;
  let phase: string | undefined;
  let outputs: StepOutputs = {};
  let switchOutcome: SwitchOutcome | undefined;
  emit({ type: "plan", plan });
  const finish = (error?: NixosViaError): Result<RunSummary, NixosViaError> => {
    const durationMs = Date.now() - started;
    const succeeded = error === undefined && (switchOutcome === undefined || switchSucceeded(switchOutcome));
    emit({ type: "done", ok: succeeded, durationMs, copiedPaths, copiedBytes, ...(error ? { error } : {}), ...(switchOutcome ? { switchOutcome } : {}) });
    return error ? err(error) : ok({ durationMs, copiedPaths, copiedBytes, outputs, switchOutcome });
  };

  for (let index = 0; index < plan.steps.length; ) {
    const step = plan.steps[index]!;
    if (options.signal?.aborted) {
      await cleanUp(plan, options, emit);
      return finish(new AbortedError());
    }
    const enterPhase = (p: string): void => {
      if (p === phase) return;
      phase = p;
      emit({ type: "phase", phase: p as Step["phase"] });
    };
    // On a remote target adjacent register/profile/activate commands run as one command,
    // inside the copy's own when they follow it: each command of its own would cost round
    // trips (foldRunSteps.ts). Events stay per step.
    const remote = options.target.capabilities.remote;
    const afterCopy = remote && step.kind === "copy-closure" ? foldedAfterCopy(plan.steps, index) : 0;
    if (afterCopy > 0) {
      const copy = step as CopyClosureStep;
      // Counted once the receiver has the whole stream: the paths are on the target then,
      // though this machine's side or a later step of the fold may still fail.
      const delivered = (bytes: number): void => {
        copiedPaths += copy.paths.length;
        copiedBytes += bytes;
      };
      const ran = await runCopyFolded(copy, plan.steps.slice(index + 1, index + 1 + afterCopy) as RunStep[], index, plan.steps.length, options, emit, enterPhase, delivered);
      if (ran.isErr()) {
        await cleanUp(plan, options, emit);
        return finish(options.signal?.aborted ? new AbortedError() : ran.error);
      }
      index += 1 + afterCopy;
      continue;
    }
    const fold = remote ? foldedLength(plan.steps, index) : 1;
    if (fold > 1) {
      const group = plan.steps.slice(index, index + fold) as RunStep[];
      const ran = await runFolded(group, group, index, plan.steps.length, options, emit, enterPhase, { stdin: group[0]!.stdin });
      if (ran.isErr()) {
        await cleanUp(plan, options, emit);
        return finish(options.signal?.aborted ? new AbortedError() : ran.error);
      }
      index += fold;
      continue;
    }
    enterPhase(step.phase);
    emit({ type: "step-start", index, total: plan.steps.length, phase: step.phase, description: step.description });
    const stepStarted = Date.now();
    const result = await applyStep(step, { index, options, emit, outputs });
    const outcome = result.isOk() ? result.value.switchOutcome : undefined;
    emit({ type: "step-end", index, ok: result.isOk() && (outcome === undefined || switchSucceeded(outcome)), durationMs: Date.now() - stepStarted });
    if (result.isErr()) {
      await cleanUp(plan, options, emit);
      return finish(options.signal?.aborted ? new AbortedError() : result.error);
    }
    if (step.kind === "copy-closure") {
      copiedPaths += step.paths.length;
      copiedBytes += result.value.bytes;
    }
    outputs = { ...outputs, ...result.value.outputs };
    if (outcome !== undefined) {
      switchOutcome = outcome;
      // A switch that did not stick ends the run: nothing after it may assume the new system.
      if (!switchSucceeded(outcome)) return finish();
    }
    index++;
  }
  return finish();
}

/**
 * Applies one step. A step that throws (a transport or source with a bug, a folder that
 * vanished) fails like any other, so the cleanup still runs and no exception escapes.
 */
async function applyStep(step: Step, context: StepContext): Promise<Result<StepResult, NixosViaError>> {
  try {
    return await (HANDLERS[step.kind] as Handler<Step["kind"]>)(step, context);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    return err(new StepFailedError(context.index, `${step.description}: ${why}`, { cause }));
  }
}

/** What a handler gets besides its step. */
interface StepContext {
  readonly index: number;
  readonly options: RunPlanOptions;
  readonly emit: (e: PipelineEvent) => void;
  /** What earlier steps handed on. */
  readonly outputs: StepOutputs;
}

/** What a step handed on, besides succeeding. */
interface StepResult {
  /** Bytes sent to the target. */
  readonly bytes: number;
  readonly outputs?: StepOutputs;
  readonly switchOutcome?: SwitchOutcome;
}

type Handler<K extends Step["kind"]> = (step: Extract<Step, { kind: K }>, context: StepContext) => Promise<Result<StepResult, NixosViaError>>;

/** How each kind of step is applied: one entry per kind. */
const HANDLERS: { readonly [K in Step["kind"]]: Handler<K> } = {
  run: async (step, { index, options, emit }) =>
    (await runStep(step, index, options, emit)).map((r) => ({ bytes: 0, outputs: step.capture === undefined ? {} : { [step.capture]: r.stdout } })),
  "copy-closure": (step, { index, options, emit }) => copyStep(step, index, options, emit),
  "copy-files": (step, { index, options, emit }) => copyFilesStep(step, index, options, emit),
  switch: (step, context) => applySwitch(step, context),
  "wait-for-system": (step, context) => applyWaitForSystem(step, context),
  "wait-for-installer": (step, context) => applyWaitForInstaller(step, context),
};

async function applyWaitForInstaller(step: WaitForInstallerStep, { index, options, emit }: StepContext): Promise<Result<StepResult, NixosViaError>> {
  const { target } = options;
  const up = await reconnectUntil(target, {
    deadline: Date.now() + step.timeoutS * 1000,
    intervalMs: 3000,
    ready: () =>
      target.exec(["test", "-e", step.marker]).andThen((r) => (r.exitCode === 0 ? okAsync(undefined) : errAsync(new TransportError(`${target.uri} still runs its old system`)))),
    onAttempt: (message) => emit({ type: "note", index, message: `installer not up yet: ${message}` }),
    onTimeout: (last) => new SystemNotUpError(`${target.uri} did not come back running the kexec installer in time (last: ${last})`),
    signal: options.signal,
  });
  return up.map(() => ({ bytes: 0 }));
}

async function applySwitch(step: SwitchStep, { index, options, emit }: StepContext): Promise<Result<StepResult, NixosViaError>> {
  const outcome = await switchDetached(options.target, {
    action: step.action,
    toplevel: step.toplevel,
    previous: step.previous,
    magicRollback: step.magicRollback,
    confirmTimeoutS: step.confirmTimeoutS,
    healthChecks: step.healthChecks,
    healthTimeoutS: step.healthTimeoutS,
    // Names this run's state folder on the target; two runs never share one.
    id: `${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
    onOutput: (line) => emit({ type: "output", index, stream: "stdout", line }),
    onNote: (message) => emit({ type: "note", index, message }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return outcome.map((switchOutcome) => ({ bytes: 0, switchOutcome }));
}

async function applyWaitForSystem(step: WaitForSystemStep, { index, options, emit, outputs }: StepContext): Promise<Result<StepResult, NixosViaError>> {
  const up = await waitForSystem(options.target, {
    toplevel: step.toplevel,
    hostKey: step.hostKeyFrom === undefined ? undefined : outputs[step.hostKeyFrom],
    timeoutMs: step.timeoutS * 1000,
    onAttempt: (message) => emit({ type: "note", index, message: `not up yet: ${message}` }),
    signal: options.signal,
  });
  return up.map(() => ({ bytes: 0 }));
}

/** Runs the plan's cleanup steps after a failure: no abort signal, failures only reported. */
async function cleanUp(plan: Plan, options: RunPlanOptions, emit: (e: PipelineEvent) => void): Promise<void> {
  if (plan.cleanup.length === 0) return;
  emit({ type: "phase", phase: "unmount" });
  for (const step of plan.cleanup) {
    const index = plan.steps.length;
    emit({ type: "step-start", index, total: plan.steps.length, phase: step.phase, description: `clean up: ${step.description}` });
    const started = Date.now();
    const { signal: _ignored, ...withoutSignal } = options;
    const result = await runStep(step, index, withoutSignal, emit);
    emit({ type: "step-end", index, ok: result.isOk(), durationMs: Date.now() - started });
  }
}

/** What a step produced: bytes sent to the target, and stdout for steps that capture it. */
/** What a command step printed, for steps that capture it. */
interface CommandOutput {
  readonly stdout: string;
}

async function runStep(
  step: RunStep,
  index: number,
  options: RunPlanOptions,
  emit: (e: PipelineEvent) => void,
): Promise<Result<CommandOutput, NixosViaError>> {
  const secret = step.secretStdin === undefined ? undefined : options.secrets?.get(step.secretStdin.name);
  if (step.secretStdin !== undefined && secret === undefined) {
    return err(new StepFailedError(index, `${step.description}: the secret ${step.secretStdin.name} was not given to the runner`));
  }
  const stdin = secret ?? step.stdin;
  const output = outputCollector(index, emit);
  const result = await options.target.exec(step.argv, {
    ...(step.env ? { env: step.env } : {}),
    ...(stdin !== undefined ? { stdin } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onStdout: output.stdout,
    onStderr: output.stderr,
  });
  output.flush();
  if (result.isErr()) return err(result.error);
  if (result.value.exitCode !== 0) {
    return err(
      new StepFailedError(index, `${step.description}: failed with exit code ${result.value.exitCode}`, {
        exitCode: result.value.exitCode,
        details: output.tail(),
      }),
    );
  }
  return ok({ stdout: result.value.stdout });
}

/** What the first command of a folded group reads, and what happens when it is done. */
interface FoldLead {
  readonly stdin?: ExecInput | undefined;
  /**
   * Awaited when the first command's mark arrives, before its step ends: whether this
   * machine's side of it succeeded too (a copy's export). When not, the step ends failed,
   * though the target goes on with the later ones. @default succeeded
   */
  readonly settle?: () => Promise<boolean>;
  /** Called when the first command failed (its own exit code, or a lost connection). */
  readonly onFailed?: () => void;
}

/**
 * Runs a group of steps as one command on the target ({@link foldedArgv} of `commands`,
 * one per step), with the events each would have had: a step ends (and the next starts)
 * when the command's mark for it arrives on stderr, so durations are those seen from
 * here. A failure is the failure of the first step without a mark.
 */
async function runFolded(
  group: readonly Step[],
  commands: readonly FoldedCommand[],
  first: number,
  total: number,
  options: RunPlanOptions,
  emit: (e: PipelineEvent) => void,
  enterPhase: (phase: string) => void,
  lead: FoldLead,
): Promise<Result<void, NixosViaError>> {
  const tag = foldTag();
  let current = 0;
  let started = Date.now();
  const start = (i: number): void => {
    current = i;
    started = Date.now();
    enterPhase(group[i]!.phase);
    emit({ type: "step-start", index: first + i, total, phase: group[i]!.phase, description: group[i]!.description });
  };
  let output = outputCollector(first, emit);
  // stderr goes through a line splitter of its own that takes the marks out.
  let partial = "";
  const decoder = new TextDecoder();
  // Output is handled in the order it came, one piece after the other: the first step's end
  // may wait for this machine's side of it (`lead.settle`), and what follows waits with it.
  let handled: Promise<void> = Promise.resolve();
  const inOrder = (handle: () => void | Promise<void>): void => {
    handled = handled.then(handle);
  };
  const onStderrText = async (text: string, final: boolean): Promise<void> => {
    const lines = (partial + text).split("\n");
    partial = final ? "" : (lines.pop() ?? "");
    for (const line of lines) {
      const mark = parseFoldMark(line, tag);
      if (mark === undefined) {
        if (!(final && line === "")) output.stderr(new TextEncoder().encode(`${line}\n`));
        continue;
      }
      if (mark.before !== "") output.stderr(new TextEncoder().encode(`${mark.before}\n`));
      output.flush();
      const ok = mark.done === 0 && lead.settle !== undefined ? await lead.settle() : true;
      emit({ type: "step-end", index: first + mark.done, ok, durationMs: Date.now() - started });
      if (mark.done + 1 < group.length) {
        output = outputCollector(first + mark.done + 1, emit);
        start(mark.done + 1);
      } else current = group.length;
    }
  };
  start(0);
  const result = await options.target.exec(foldedArgv(commands, tag), {
    ...(lead.stdin !== undefined ? { stdin: lead.stdin } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onStdout: (chunk) => inOrder(() => output.stdout(chunk)),
    onStderr: (chunk) => {
      const text = decoder.decode(chunk, { stream: true });
      inOrder(() => onStderrText(text, false));
    },
  });
  inOrder(() => onStderrText(decoder.decode(), true));
  await handled;
  output.flush();
  const failed = group[current];
  if (result.isOk() && result.value.exitCode === 0 && failed === undefined) return ok(undefined);
  if (current === 0) lead.onFailed?.();
  const index = first + Math.min(current, group.length - 1);
  emit({ type: "step-end", index, ok: false, durationMs: Date.now() - started });
  if (result.isErr()) return err(result.error);
  const step = failed ?? group[group.length - 1]!;
  const why =
    result.value.exitCode === 0
      ? "ended without finishing"
      : `${step.kind === "copy-closure" ? "the receiver failed" : "failed"} with exit code ${result.value.exitCode}`;
  return err(new StepFailedError(index, `${step.description}: ${why}`, { exitCode: result.value.exitCode, details: output.tail() }));
}

/**
 * A copy and the run steps after it as one command: the receiver reads the stream, and
 * each step runs only once the one before it succeeded (a receiver succeeds only on a
 * complete stream, its files checked), so nothing is registered that did not arrive.
 * An export that fails after the receiver succeeded cannot stop the steps the target then
 * runs: the copy ends failed, those steps end as they did, and the error says both. The
 * paths are `delivered` as soon as the receiver succeeds, whatever fails after it.
 */
async function runCopyFolded(
  step: CopyClosureStep,
  after: readonly RunStep[],
  index: number,
  total: number,
  options: RunPlanOptions,
  emit: (e: PipelineEvent) => void,
  enterPhase: (phase: string) => void,
  delivered: (wireBytes: number) => void,
): Promise<Result<void, NixosViaError>> {
  const copy = startCopy(step, index, options, emit);
  if (copy.isErr()) {
    enterPhase(step.phase);
    emit({ type: "step-start", index, total, phase: step.phase, description: step.description });
    emit({ type: "step-end", index, ok: false, durationMs: 0 });
    return err(copy.error);
  }
  const { exported, stream, finished, wireBytes } = copy.value;
  const ran = await runFolded([step, ...after], [{ argv: step.receiver }, ...after], index, total, options, emit, enterPhase, {
    stdin: stream,
    settle: async () => {
      const sent = await exported.done;
      delivered(wireBytes());
      if (sent.isOk()) finished();
      return sent.isOk();
    },
    onFailed: () => exported.cancel(),
  });
  const sent = await exported.done;
  if (ran.isErr()) return err(ran.error);
  if (sent.isErr()) {
    // What arrived was complete and checked, and the target went on with it: a rerun finds
    // the paths registered and sends nothing again.
    const names = after.map((s) => s.description).join(", ");
    const why = `the target received the whole stream and ran what follows it (${names}), but this machine's side of the copy failed: ${sent.error.message}`;
    return err(new StepFailedError(index, `${step.description}: ${why}`, { cause: sent.error }));
  }
  return ok(undefined);
}

/** A started export of a copy step, counted for its progress events. */
interface StartedCopy {
  readonly exported: PathExport;
  /** The stream to feed the receiver; it emits progress as it goes. */
  readonly stream: AsyncIterable<Uint8Array>;
  /** Emits the last progress event (all paths, all bytes). */
  readonly finished: () => void;
  readonly wireBytes: () => number;
}

async function copyStep(
  step: CopyClosureStep,
  index: number,
  options: RunPlanOptions,
  emit: (e: PipelineEvent) => void,
): Promise<Result<StepResult, NixosViaError>> {
  const copy = startCopy(step, index, options, emit);
  if (copy.isErr()) return err(copy.error);
  const sent = await streamInto(step, index, copy.value.exported, copy.value.stream, options, emit);
  if (sent.isErr()) return err(sent.error);
  copy.value.finished();
  return ok({ bytes: copy.value.wireBytes() });
}

function startCopy(step: CopyClosureStep, index: number, options: RunPlanOptions, emit: (e: PipelineEvent) => void): Result<StartedCopy, NixosViaError> {
  if (options.source === undefined) {
    return err(new StepFailedError(index, `${step.description}: no closure source was given to the runner`));
  }
  const exported = options.source.exportPaths(
    step.paths.map((p) => p.path),
    {
      compression: step.compression,
      ...(step.windowLog === undefined ? {} : { windowLog: step.windowLog }),
      ...(step.deltas ? { deltas: step.deltas } : {}), ...(options.signal ? { signal: options.signal } : {}) },
  );
  let wireBytes = 0;
  let bytesDone = 0;
  let pathsDone = 0;
  let boundary = step.paths[0]?.narSize ?? 0;
  let lastEmit = 0;
  const report = (force: boolean): void => {
    // Paths are counted as their NAR sizes pass by in the tar stream: tar's framing makes
    // this an estimate until the end, where it is exact.
    while (pathsDone < step.paths.length && bytesDone >= boundary) {
      pathsDone++;
      boundary += step.paths[pathsDone]?.narSize ?? 0;
    }
    const now = Date.now();
    if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return;
    lastEmit = now;
    emit({
      type: "progress",
      index,
      pathsDone: force ? step.paths.length : Math.min(pathsDone, step.paths.length - 1),
      pathsTotal: step.paths.length,
      bytesDone: force ? step.bytes : Math.min(bytesDone, step.bytes),
      bytesTotal: step.bytes,
    });
  };
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const chunk of exported.stream) {
      wireBytes += chunk.byteLength;
      bytesDone = exported.tarBytes();
      report(false);
      yield chunk;
    }
  }
  const finished = () => {
    report(true);
    // Where the level changed with the link, say how: it explains a copy's bytes and speed.
    const levels = exported.compressionLevels?.() ?? [];
    if (new Set(levels).size > 1) {
      emit({ type: "note", index, message: `compressed with ${step.compression} ${levels.map((l) => `-${l}`).join(", then ")}: denser while the link was the limit and a core was idle` });
    }
  };
  return ok({ exported, stream: counted(), finished, wireBytes: () => wireBytes });
}

async function copyFilesStep(
  step: CopyFilesStep,
  index: number,
  options: RunPlanOptions,
  emit: (e: PipelineEvent) => void,
): Promise<Result<StepResult, NixosViaError>> {
  if (options.source === undefined) {
    return err(new StepFailedError(index, `${step.description}: no source was given to the runner`));
  }
  const exported = options.source.exportFolder(step.source, options.signal ? { signal: options.signal } : {});
  return (await streamInto(step, index, exported, exported.stream, options, emit)).map(() => ({ bytes: 0 }));
}

/**
 * Feeds an export into the step's receiver on the target and settles both ends: a
 * receiver that ended early leaves the export blocked on a stream nobody reads, so it is
 * cancelled; the receiver's failure is reported before the sender's, as the more telling.
 */
async function streamInto(
  step: CopyClosureStep | CopyFilesStep,
  index: number,
  exported: PathExport,
  stdin: AsyncIterable<Uint8Array>,
  options: RunPlanOptions,
  emit: (e: PipelineEvent) => void,
): Promise<Result<void, NixosViaError>> {
  const output = outputCollector(index, emit);
  const received = await options.target.exec(step.receiver, {
    stdin,
    ...(options.signal ? { signal: options.signal } : {}),
    onStdout: output.stdout,
    onStderr: output.stderr,
  });
  if (received.isErr() || received.value.exitCode !== 0) exported.cancel();
  const sent = await exported.done;
  output.flush();
  if (received.isErr()) return err(received.error);
  if (received.value.exitCode !== 0) {
    return err(
      new StepFailedError(index, `${step.description}: the receiver failed with exit code ${received.value.exitCode}`, {
        exitCode: received.value.exitCode,
        details: output.tail(),
      }),
    );
  }
  if (sent.isErr()) return err(new StepFailedError(index, `${step.description}: ${sent.error.message}`, { cause: sent.error }));
  return ok(undefined);
}

/** Splits a command's output into line events and keeps the last lines for error reports. */
function outputCollector(index: number, emit: (e: PipelineEvent) => void) {
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const partial = { stdout: "", stderr: "" };
  const last: string[] = [];
  const push = (stream: "stdout" | "stderr", text: string, final: boolean): void => {
    const lines = (partial[stream] + text).split("\n");
    partial[stream] = final ? "" : (lines.pop() ?? "");
    for (const line of lines) {
      if (final && line === "") continue;
      last.push(line);
      if (last.length > TAIL_LINES) last.shift();
      emit({ type: "output", index, stream, line });
    }
  };
  return {
    stdout: (chunk: Uint8Array) => push("stdout", decoders.stdout.decode(chunk, { stream: true }), false),
    stderr: (chunk: Uint8Array) => push("stderr", decoders.stderr.decode(chunk, { stream: true }), false),
    flush: () => {
      push("stdout", decoders.stdout.decode(), true);
      push("stderr", decoders.stderr.decode(), true);
    },
    tail: () => last.join("\n"),
  };
}
