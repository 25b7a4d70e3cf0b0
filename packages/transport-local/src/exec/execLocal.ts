import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import { TransportError, type ExecOptions, type ExecResult } from "@nixos-via/core";

/**
 * Runs a command on this machine: the `exec` of every local target. argv only, never a
 * shell string; a non-zero exit is a result, a command that cannot start is an error.
 *
 * @example
 * ```ts
 * const r = await execLocal(["uname", "-m"]);
 * ```
 */
export function execLocal(argv: readonly string[], options: ExecOptions = {}): ResultAsync<ExecResult, TransportError> {
  const [file, ...args] = argv;
  if (file === undefined) return errAsync(new TransportError("no command given"));
  const { stdin } = options;
  const input =
    stdin === undefined
      ? { input: "" }
      : typeof stdin === "string" || stdin instanceof Uint8Array
        ? { input: stdin }
        : { stdin: "pipe" as const };
  const subprocess = execa(file, args, {
    ...input,
    env: options.env ?? {},
    extendEnv: true,
    reject: false,
    stripFinalNewline: false,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  if (stdin !== undefined && typeof stdin !== "string" && !(stdin instanceof Uint8Array)) {
    // Piped by hand so the bytes pass through untransformed. When the command exits early
    // the pipe breaks; that is reported by its exit code, not by this stream.
    pipeline(Readable.from(stdin, { objectMode: false }), subprocess.stdin).catch(() => {});
  }
  if (options.onStdout) subprocess.stdout.on("data", options.onStdout);
  if (options.onStderr) subprocess.stderr.on("data", options.onStderr);
  return ResultAsync.fromSafePromise(subprocess).andThen((result) =>
    // Like a shell (and so like every remote target): a missing command exits with 127.
    (result.cause as NodeJS.ErrnoException | undefined)?.code === "ENOENT"
      ? okAsync({ exitCode: 127, stdout: "", stderr: `${file}: command not found\n` })
      : result.exitCode === undefined
      ? errAsync(
          new TransportError(
            result.isCanceled ? `${file} was stopped` : `could not run ${file}: ${result.originalMessage ?? result.shortMessage}`,
            { cause: result.cause },
          ),
        )
      : okAsync({ exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) }),
  );
}
