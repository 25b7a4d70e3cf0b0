import { err, ok, type Result } from "neverthrow";
import { UsageError } from "../errors/index.js";

/** A parsed target URI: which transport, and where. */
export type TargetSpec =
  | { readonly kind: "dir"; readonly uri: string; readonly path: string }
  | { readonly kind: "disk"; readonly uri: string; readonly device: string }
  | { readonly kind: "image"; readonly uri: string; readonly file: string }
  | {
      readonly kind: "ssh";
      readonly uri: string;
      readonly host: string;
      readonly user?: string | undefined;
      readonly port?: number | undefined;
    };

const USAGE = "use dir:PATH, disk:/dev/DEVICE, image:FILE or ssh://[user@]host[:port]";

/**
 * Parses a target URI.
 *
 * @example
 * ```ts
 * parseTargetUri("dir:/srv/roots/web") // Ok({ kind: "dir", path: "/srv/roots/web", … })
 * parseTargetUri("ssh://root@203.0.113.7:2222") // Ok({ kind: "ssh", host: "203.0.113.7", user: "root", port: 2222, … })
 * ```
 */
export function parseTargetUri(uri: string): Result<TargetSpec, UsageError> {
  const colon = uri.indexOf(":");
  const scheme = colon < 0 ? "" : uri.slice(0, colon);
  const rest = colon < 0 ? "" : uri.slice(colon + 1);
  switch (scheme) {
    case "dir":
      return rest === "" ? err(new UsageError(`"${uri}" names no directory: ${USAGE}`)) : ok({ kind: "dir", uri, path: rest });
    case "disk":
      return /^\/dev\/[^/]/.test(rest)
        ? ok({ kind: "disk", uri, device: rest })
        : err(new UsageError(`"${uri}" is not a block device under /dev: ${USAGE}`));
    case "image":
      return rest === "" ? err(new UsageError(`"${uri}" names no image file: ${USAGE}`)) : ok({ kind: "image", uri, file: rest });
    case "ssh":
      return parseSsh(uri, rest);
    default:
      return err(new UsageError(`"${uri}" is not a target: ${USAGE}`));
  }
}

function parseSsh(uri: string, rest: string): Result<TargetSpec, UsageError> {
  const m = /^\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/@[\]]+)(?::(\d+))?\/?$/.exec(rest);
  if (m === null) return err(new UsageError(`"${uri}" is not an SSH target: use ssh://[user@]host[:port]`));
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    return err(new UsageError(`"${uri}": port ${port} is out of range 1-65535`));
  }
  const host = m[2]!.replace(/^\[(.*)\]$/, "$1");
  return ok({ kind: "ssh", uri, host, user: m[1], port });
}
