import { setMaxListeners } from "node:events";
import { main } from "./main.js";
import { reportUnexpected, wantsDebug } from "./reportUnexpected.js";

const controller = new AbortController();
// One signal for the whole run: `fleet deploy` works on --parallel hosts at once, each with
// its own commands listening on it (and removing their listener when they end), so Node's
// leak warning at 11 listeners would be a false alarm printed into the user's terminal.
setMaxListeners(0, controller.signal);
let interrupted = false;
process.on("SIGINT", () => {
  // The first Ctrl-C stops the running step cleanly; the second one leaves at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});

const debug = wantsDebug(process.argv.slice(2));

// A reader that stops early (`nixos-via install --help | head -1`) closes the pipe: that is
// not a failure. Later writes to it are dropped; the run goes on and keeps its exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") process.exit(reportUnexpected(error, process.stderr, debug));
  });
}

// What escapes main(), such as an 'error' event nobody listens to, is one line and exit 1 too.
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (error: unknown) => process.exit(reportUnexpected(error, process.stderr, debug)));
}

// If the event loop ever empties before main() settles, something waited on an event that
// will never come: that is a failure, never a success.
let settled = false;
process.on("beforeExit", () => {
  if (!settled) {
    process.stderr.write("nixos-via: error: stopped waiting for an operation that can no longer finish (a lost connection?)\n");
    process.exitCode = 1;
  }
});

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal).finally(() => {
  settled = true;
});
