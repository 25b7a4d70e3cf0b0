import { err, ok } from "neverthrow";
import { UsageError, type Transport } from "@nixos-via/core";
import { createDirTarget } from "./createDirTarget.js";

/** The `dir:PATH` transport: a directory on this machine used as a system's root. */
export const dirTransport: Transport<{ readonly uri: string; readonly path: string }> = {
  scheme: "dir",
  usage: "dir:PATH",
  holdsSystem: true,
  installOptions: ["extraFiles"],
  layoutDisks: "none",
  parse: (uri) => {
    const path = uri.slice("dir:".length);
    return uri.startsWith("dir:") && path !== "" ? ok({ uri, path }) : err(new UsageError(`"${uri}" names no directory: use dir:PATH`));
  },
  open: (spec) => createDirTarget(spec.path).map((target) => ({ target, discard: () => target.close() })),
};

