import { randomBytes } from "node:crypto";
import type { ResultAsync } from "neverthrow";
import type { ExecInput, ExecOptions, ExecResult } from "@nixos-via/core";

/** How commands gain root on the target. */
export type SudoMode =
  | { readonly kind: "none" }
  | { readonly kind: "nopasswd" }
  | { readonly kind: "password"; readonly password: string };

/** Runs an argv on the target as it is, with no sudo. */
export type RunArgv<E> = (argv: readonly string[], options: ExecOptions) => ResultAsync<ExecResult, E>;

// Unique to this run, so no output of a command can pass for them.
const tag = randomBytes(9).toString("hex");
const PROMPT = `[nixos-via-sudo-prompt-${tag}]`;
const STARTED = `[nixos-via-sudo-started-${tag}]`;

/**
 * The argv that runs `argv` with `env` as root under `mode`. The password never appears in
 * argv. With `password`, sudo asks with a prompt of its own (`-S -p`) on stderr, and a shell
 * it starts says on stderr when the command itself begins: see {@link sudoExec}.
 */
export function sudoArgv(mode: SudoMode, argv: readonly string[], env: Readonly<Record<string, string>> = {}): string[] {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const command = vars.length > 0 ? ["env", ...vars, ...argv] : [...argv];
  switch (mode.kind) {
    case "none":
      return command;
    case "nopasswd":
      return ["sudo", "-n", "--", ...command];
    case "password":
      return ["sudo", "-S", "-p", PROMPT, "--", "sh", "-c", `printf '%s' '${STARTED}' >&2; exec "$@"`, "sh", ...command];
  }
}

/**
 * Runs `argv` as root under `mode`. With `password`, the password is written only when
 * sudo's own prompt appears on stderr, once (a second prompt means it was refused, and
 * stdin is closed), and the command's own stdin follows only once the command has
 * started. So a rule that needs no password (NOPASSWD, a cached credential) never hands
 * the password line to the command. The prompt and the start mark are taken out of stderr.
 */
export function sudoExec<E>(run: RunArgv<E>, mode: SudoMode, argv: readonly string[], options: ExecOptions = {}): ResultAsync<ExecResult, E> {
  const wrapped = sudoArgv(mode, argv, options.env);
  if (mode.kind !== "password") return run(wrapped, options);
  const gate = sudoGate(options.onStderr);
  const stdin = (async function* () {
    for (;;) {
      const next = await gate.next();
      if (next === "stop") return;
      if (next === "started") break;
      yield new TextEncoder().encode(`${mode.password}\n`);
    }
    if (options.stdin !== undefined) yield* chunksOf(options.stdin);
  })();
  return run(wrapped, { ...options, stdin, onStderr: gate.feed })
    .map((r) => ({ ...r, stderr: r.stderr.replaceAll(PROMPT, "").replace(STARTED, "") }))
    .andTee(gate.end)
    .orTee(gate.end);
}

type GateSignal = "password" | "started" | "stop";

/** Watches sudo's stderr for its prompt and the start mark, and passes on the rest. */
function sudoGate(onStderr: ((chunk: Uint8Array) => void) | undefined) {
  const signals: GateSignal[] = [];
  let wake: (() => void) | undefined;
  const signal = (s: GateSignal) => {
    signals.push(s);
    wake?.();
  };
  let prompts = 0;
  let started = false;
  // latin1 keeps bytes as they are, so what follows the mark is passed on unchanged.
  let before = "";
  const feed = (chunk: Uint8Array) => {
    if (started) return onStderr?.(chunk);
    before += Buffer.from(chunk).toString("latin1");
    for (;;) {
      const at = before.indexOf(PROMPT);
      const mark = before.indexOf(STARTED);
      if (mark !== -1 && (at === -1 || mark < at)) {
        started = true;
        const said = before.slice(0, mark) + before.slice(mark + STARTED.length);
        before = "";
        signal("started");
        if (said !== "") onStderr?.(Buffer.from(said, "latin1"));
        return;
      }
      if (at === -1) return;
      before = before.slice(0, at) + before.slice(at + PROMPT.length);
      prompts += 1;
      signal(prompts === 1 ? "password" : "stop");
    }
  };
  return {
    feed,
    next: async (): Promise<GateSignal> => {
      while (signals.length === 0) await new Promise<void>((r) => (wake = r));
      return signals.shift()!;
    },
    /** The command ended: stdin is no longer waited for, and sudo's own words are passed on. */
    end: () => {
      signal("stop");
      if (!started && before !== "") onStderr?.(Buffer.from(before, "latin1"));
      before = "";
    },
  };
}

async function* chunksOf(input: ExecInput): AsyncIterable<Uint8Array> {
  if (typeof input === "string") yield new TextEncoder().encode(input);
  else if (input instanceof Uint8Array) yield input;
  else yield* input;
}
