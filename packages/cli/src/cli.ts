import { main } from "./main.js";

const controller = new AbortController();
let interrupted = false;
process.on("SIGINT", () => {
  // The first Ctrl-C stops the running step cleanly; the second one leaves at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
});

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, controller.signal);
