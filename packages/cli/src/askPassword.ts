import { execFileSync } from "node:child_process";
import { closeSync, createReadStream, createWriteStream, openSync } from "node:fs";
import { createInterface } from "node:readline";

/**
 * Asks for a password on the controlling terminal without echoing it, or reads one line
 * from stdin (`--sudo-password-stdin`, for scripts). Never from argv or the environment.
 */
export function askPassword(prompt: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) return readLine(process.stdin);
  return new Promise((resolve, reject) => {
    let tty: ReturnType<typeof createReadStream>;
    let out: ReturnType<typeof createWriteStream>;
    try {
      tty = createReadStream("/dev/tty");
      out = createWriteStream("/dev/tty");
    } catch (error) {
      reject(new Error("no terminal to ask for the sudo password on; pass --sudo-password-stdin", { cause: error }));
      return;
    }
    tty.on("error", () => reject(new Error("no terminal to ask for the sudo password on; pass --sudo-password-stdin")));
    out.write(prompt);
    const stty = (arg: string) => {
      try {
        const fd = openSync("/dev/tty", "r");
        execFileSync("stty", [arg], { stdio: [fd, "ignore", "ignore"] });
        closeSync(fd);
      } catch {
        // no stty: the password is echoed, which is still better than failing
      }
    };
    stty("-echo");
    readLine(tty).then(
      (line) => {
        stty("echo");
        out.write("\n");
        tty.destroy();
        out.end();
        resolve(line);
      },
      (e: unknown) => {
        stty("echo");
        reject(e);
      },
    );
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
