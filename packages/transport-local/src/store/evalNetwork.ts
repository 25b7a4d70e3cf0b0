import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { UsageError, type TransportError } from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import { nixEnv } from "./nixEnv.js";

/** One argument of a network function: a Nix expression (`--arg`) or a string (`--argstr`). */
export type NetworkArgument = { readonly arg: string } | { readonly argstr: string };

/**
 * Evaluates a network file — a Nix function of arguments with defaults that returns an
 * attribute set of hosts — with the given arguments, to plain JSON. A flake output of the
 * same shape (`FLAKE#ATTR`) is read with `nix eval`. A host's `system`
 * derivation becomes `{ path, drvPath }` (its output path and the derivation that
 * builds it) so that every system can be built in one call afterwards; nothing is built
 * here.
 *
 * @example
 * ```ts
 * const network = await evalNetwork("/srv/fleet/network.nix", { nrProxyInstances: { arg: "200" } });
 * ```
 */
export function evalNetwork(file: string, args: Readonly<Record<string, NetworkArgument>>): ResultAsync<unknown, UsageError | TransportError> {
  // A flake output (`.#fleet`, `path:/srv/fleet#fleet`) is read by `nix eval`, applied the same way.
  const argv = file.includes("#")
    ? ["nix", "eval", "--json", file, "--apply", `network: ${networkExpression("network", args)}`]
    : ["nix-instantiate", "--eval", "--strict", "--json", "--read-write-mode", "--expr", `let network = import (/. + ${nixString(file)}); in ${networkExpression("network", args)}`];
  return execLocal(argv, { env: nixEnv() }).andThen((r) => {
    if (r.exitCode !== 0) {
      const lines = r.stderr.trim().split("\n");
      const first = lines.find((l) => l.startsWith("error:"))?.replace(/^error:\s*/, "") ?? lines[0] ?? "nix-instantiate failed";
      return errAsync(new UsageError(`evaluating ${file} failed: ${first.trim()}`, { details: lines.slice(-40).join("\n") }));
    }
    try {
      return okAsync(JSON.parse(r.stdout) as unknown);
    } catch {
      return errAsync(new UsageError(`evaluating ${file} printed no JSON`, { details: r.stdout.slice(0, 2000) }));
    }
  });
}

/** A Nix string literal of any text. */
function nixString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$\{/g, "\\${")}"`;
}

/**
 * The expression evaluated: the network (the variable `network`) applied to the arguments
 * (one that is no function is taken as it is), each host's derivation replaced by its two
 * paths. An `--arg` is Nix code by definition, as for nix-build; each sits in parentheses
 * on lines of its own.
 */
function networkExpression(network: string, args: Readonly<Record<string, NetworkArgument>>): string {
  const given = Object.entries(args)
    .map(([name, value]) => `    ${nixString(name)} = ${"argstr" in value ? nixString(value.argstr) : `(\n${value.arg}\n)`};`)
    .join("\n");
  return `let
  hosts = if builtins.isFunction ${network} then ${network} {
${given}
  } else ${network};
  system = s: if builtins.isAttrs s && s ? drvPath then { path = s.outPath; drvPath = s.drvPath; } else if builtins.isPath s then toString s else s;
in
  if builtins.isAttrs hosts
  then builtins.mapAttrs (name: host: if builtins.isAttrs host && host ? system then host // { system = system host.system; } else host) hosts
  else hosts
`;
}
