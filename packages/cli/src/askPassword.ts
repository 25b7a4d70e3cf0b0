import { openSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { ReadStream } from "node:tty";

const NO_TERMINAL = "there is no terminal to ask for it on; pass --sudo-password-stdin and give it on stdin";

/**
 * Asks for a password on the controlling terminal without echoing it, or reads one line
 * from stdin (`--sudo-password-stdin`, for scripts). Never from argv or the environment.
 * The terminal is read in raw mode, so Ctrl-C at the prompt is a key like Enter: it ends
 * the question (rejecting) and the terminal is always given back as it was.
 */
export function askPassword(prompt: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) return readLine(process.stdin);
  let fd: number;
  try {
    fd = openSync("/dev/tty", "r+");
  } catch (cause) {
    return Promise.reject(new Error(NO_TERMINAL, { cause }));
  }
  const tty = new ReadStream(fd);
  return new Promise<string>((resolve, reject) => {
    let typed = "";
    let done = false;
    const restore = () => {
      tty.setRawMode(false);
      tty.destroy();
    };
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      tty.removeListener("data", onData);
      process.removeListener("exit", restore);
      try {
        writeSync(fd, "\n");
      } catch {
        // the terminal went away: nothing to end the prompt's line on
      }
      restore();
      settle();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish(() => resolve(typed));
        if (ch === "\u0003") return finish(() => reject(new Error("stopped at the password prompt (Ctrl-C)")));
        if (ch === "\u0004" && typed === "") return finish(() => reject(new Error("no password was given")));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else if (ch === "\u0015") typed = "";
        else if (ch >= " ") typed += ch;
      }
    };
    try {
      tty.setRawMode(true);
      writeSync(fd, prompt);
    } catch (cause) {
      tty.destroy();
      reject(new Error(NO_TERMINAL, { cause }));
      return;
    }
    // A process that ends while asking must not leave the terminal without echo.
    process.once("exit", restore);
    tty.on("data", onData);
    tty.on("error", (cause) => finish(() => reject(new Error(NO_TERMINAL, { cause }))));
  });
}

function readLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, terminal: false });
    rl.once("line", (line) => {
      // Settle first: close() emits "close" at once, which would otherwise reject.
      resolve(line);
      rl.close();
    });
    rl.once("close", () => reject(new Error("no password was given")));
  });
}
