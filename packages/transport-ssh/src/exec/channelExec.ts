import type { Client, ClientChannel } from "ssh2";
import { ResultAsync } from "neverthrow";
import { TransportError, type ExecOptions, type ExecResult } from "@nixos-via/core";
import { prepareWarmChannel, takeWarmChannel } from "./warmChannel.js";

/**
 * Runs one shell command line on an open connection (one channel), streaming stdin with
 * backpressure. A non-zero exit is a result; a lost connection is a TransportError.
 */
export function channelExec(client: Client, command: string, options: ExecOptions = {}): ResultAsync<ExecResult, TransportError> {
  return ResultAsync.fromPromise(
    new Promise<ExecResult>((resolve, reject) => {
      // A connection that dies (a cut cable, a killed proxy) does not always close its
      // channels: without this, the command would wait forever and, with nothing else
      // pending, the process would end as if all went well.
      const onConnectionLost = () => reject(new TransportError("the SSH connection was lost before the command ended"));
      client.once("close", onConnectionLost);
      const settle = () => client.removeListener("close", onConnectionLost);
      const run = (channel: ClientChannel) => {
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        let exitCode: number | undefined;
        let exitSignal: string | undefined;
        // OpenSSH confirms a channel's close only once the remote process has exited, so an
        // abort asks the process to stop and then returns at once instead of waiting for it.
        const onAbort = () => {
          try {
            channel.signal("TERM");
          } catch {
            // servers may refuse signal requests; closing the channel still ends stdin
          }
          channel.close();
          reject(new TransportError("the command was stopped"));
        };
        options.signal?.addEventListener("abort", onAbort, { once: true });
        channel.on("data", (d: Buffer) => {
          out.push(d);
          options.onStdout?.(d);
        });
        channel.stderr.on("data", (d: Buffer) => {
          errs.push(d);
          options.onStderr?.(d);
        });
        channel.on("exit", (code: number | null, signal?: string) => {
          if (code !== null) exitCode = code;
          if (signal) exitSignal = signal;
        });
        channel.on("close", () => {
          settle();
          options.signal?.removeEventListener("abort", onAbort);
          const stdout = Buffer.concat(out).toString("utf8");
          const stderr = Buffer.concat(errs).toString("utf8");
          if (exitCode !== undefined) resolve({ exitCode, stdout, stderr });
          else if (exitSignal !== undefined) resolve({ exitCode: 128 + signalNumber(exitSignal), stdout, stderr });
          else reject(new TransportError(options.signal?.aborted ? "the command was stopped" : "the SSH connection was lost before the command ended", { details: stderr }));
        });
        void writeStdin(channel, options.stdin);
      };
      // A channel opened ahead (warmChannel.ts) if one waits; the next opens meanwhile.
      const warm = takeWarmChannel(client, command);
      if (warm !== undefined) run(warm);
      else {
        client.exec(command, (error, channel) => {
          if (error) {
            settle();
            return reject(new TransportError(`cannot start a command over SSH: ${error.message}`, { cause: error }));
          }
          run(channel);
        });
      }
      prepareWarmChannel(client);
    }),
    (e) => (e instanceof TransportError ? e : new TransportError(String(e), { cause: e })),
  );
}

async function writeStdin(channel: ClientChannel, stdin: ExecOptions["stdin"]): Promise<void> {
  try {
    if (stdin === undefined) return;
    if (typeof stdin === "string" || stdin instanceof Uint8Array) {
      channel.write(stdin);
      return;
    }
    for await (const chunk of stdin) {
      if (channel.destroyed || !channel.writable) return;
      if (!channel.write(chunk)) await new Promise<void>((r) => channel.once("drain", r));
    }
  } catch {
    // The command ended early or the connection dropped: its result reports that.
  } finally {
    if (channel.writable) channel.end();
  }
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, KILL: 9, PIPE: 13, TERM: 15 };
function signalNumber(name: string): number {
  return SIGNALS[name.replace(/^SIG/, "")] ?? 1;
}
