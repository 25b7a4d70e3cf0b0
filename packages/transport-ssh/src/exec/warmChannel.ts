import type { Client, ClientChannel } from "ssh2";

/**
 * What a warm channel runs until it is given a command: says it can read one exactly, then
 * waits for `LENGTH\n` and LENGTH bytes of command line, and becomes that command, with
 * the rest of the channel's input as the command's stdin.
 *
 * - `read` reads its line byte by byte (a shell must not read past it on a pipe). The
 *   command needs a reader that stops at exactly LENGTH bytes, or it would eat the start of
 *   the command's stdin (a copy stream): GNU head does (it asks read() for no more than it
 *   still needs); busybox's head reads through stdio's buffer, and `dd bs=1` takes ~0.1 s
 *   for 40 KiB. Without GNU head the channel never says it is ready, and commands go as
 *   before, each on a channel of its own.
 * - `sh -c`, not the login shell: the line is one `commandLine` wrote for any POSIX shell,
 *   and a login bash would read ~/.bashrc again.
 * - A channel closed unused (the connection ends) reads end of file and leaves.
 */
export const WARM_RUNNER =
  "head --version 2>/dev/null | grep -q 'GNU coreutils' || exit 0; echo nixos-via-warm; " +
  'IFS= read -r n || exit 0; case $n in ""|*[!0-9]*) exit 0 ;; esac; c=$(head -c "$n") || exit 0; exec sh -c "$c"';

const READY = "nixos-via-warm\n";

/** Channels of one connection, each running {@link WARM_RUNNER}; at most one waits at a time. */
interface Warm {
  ready: ClientChannel | undefined;
  opening: boolean;
  /** The runner said it cannot be used here (no GNU head): stop opening new ones. */
  unusable: boolean;
}

const byClient = new WeakMap<Client, Warm>();

/**
 * Opens a session channel ahead of the next command, so that command starts without the
 * two round trips of its own channel (open, then the exec request) and without waiting
 * for OpenSSH to open the channel's window to its stdin: 80 ms at 40 ms RTT, for every
 * command after the first. Does nothing while one is opening or waiting.
 */
export function prepareWarmChannel(client: Client): void {
  let warm = byClient.get(client);
  if (warm === undefined) {
    warm = { ready: undefined, opening: false, unusable: false };
    byClient.set(client, warm);
  }
  if (warm.ready !== undefined || warm.opening || warm.unusable) return;
  const state = warm;
  state.opening = true;
  try {
    client.exec(WARM_RUNNER, (error, channel) => {
      if (error) {
        // The server takes no more sessions (MaxSessions) or the connection is closing.
        state.opening = false;
        state.unusable = true;
        return;
      }
      let seen = "";
      const onData = (d: Buffer) => {
        seen += d.toString("latin1");
        if (seen.length < READY.length) return;
        channel.removeListener("data", onData);
        state.opening = false;
        if (seen === READY) state.ready = channel;
        else {
          state.unusable = true;
          channel.close();
        }
      };
      channel.on("data", onData);
      channel.once("close", () => {
        if (state.ready === channel) state.ready = undefined;
        if (state.opening && seen.length < READY.length) {
          // It left without a word: no GNU head there.
          state.opening = false;
          state.unusable = true;
        }
      });
    });
  } catch {
    // ssh2 throws when the connection has already ended.
    state.opening = false;
    state.unusable = true;
  }
}

/**
 * The waiting warm channel with `command` already sent to it, or undefined when none is
 * ready (the caller opens a channel of its own). The channel is the command's from here:
 * its data, stderr, exit and close are the command's, as on a channel opened for it.
 */
export function takeWarmChannel(client: Client, command: string): ClientChannel | undefined {
  const warm = byClient.get(client);
  const channel = warm?.ready;
  if (warm === undefined || channel === undefined || channel.destroyed || !channel.writable) return undefined;
  warm.ready = undefined;
  channel.write(`${Buffer.byteLength(command)}\n${command}`);
  return channel;
}

/** Whether a warm channel waits on `client` now (for tests and traces). */
export function hasWarmChannel(client: Client): boolean {
  return byClient.get(client)?.ready !== undefined;
}
