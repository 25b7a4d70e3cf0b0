import type { ExecInput } from "@nixos-via/core";

/** How commands gain root on the target. */
export type SudoMode =
  | { readonly kind: "none" }
  | { readonly kind: "nopasswd" }
  | { readonly kind: "password"; readonly password: string };

/**
 * The argv that runs `argv` with `env` as root under `mode`. The password never appears in
 * argv: with `password`, sudo reads it from the first line of stdin (`-S`), and `-k` makes
 * it read it every time, so a cached credential can never leave that line to the command.
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
      return ["sudo", "-k", "-S", "-p", "", "--", ...command];
  }
}

/** The stdin to send: the password line first under `password` mode, then the command's input. */
export function sudoStdin(mode: SudoMode, stdin: ExecInput | undefined): ExecInput | undefined {
  if (mode.kind !== "password") return stdin;
  const line = new TextEncoder().encode(`${mode.password}\n`);
  if (stdin === undefined) return line;
  if (typeof stdin === "string") return `${mode.password}\n${stdin}`;
  if (stdin instanceof Uint8Array) return Buffer.concat([line, stdin]);
  return (async function* () {
    yield line;
    yield* stdin;
  })();
}
