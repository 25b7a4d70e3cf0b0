import { errAsync, type ResultAsync } from "neverthrow";
import { UsageError, type NixosViaError, type OpenedTarget, type OpenTargetOptions, type Transport } from "@nixos-via/core";
import { dirTransport, diskTransport, imageTransport } from "@nixos-via/transport-local";
import { sshTransport } from "@nixos-via/transport-ssh";

/** A target opened through the registry, with the transport that opened it. */
export interface RegisteredTarget extends OpenedTarget {
  readonly transport: Transport;
}

/** The transports targets are opened with, by URI scheme. */
export interface TransportRegistry {
  /** Adds (or replaces) the transport for its scheme. */
  register(transport: Transport): TransportRegistry;
  /** The transport a URI's scheme names. */
  find(uri: string): Transport | undefined;
  /** Parses the URI with its transport and opens it. */
  open(uri: string, options: OpenTargetOptions): ResultAsync<RegisteredTarget, NixosViaError>;
  /** What a user may write, e.g. for an error message: `dir:PATH, ssh://[user@]host[:port]`. */
  usage(): string;
}

/** dir:, disk:, image: and ssh://. */
export const defaultTransports: readonly Transport[] = [dirTransport, diskTransport, imageTransport, sshTransport] as readonly Transport[];

/**
 * A registry of transports: one registration per scheme, found by the URI's scheme.
 *
 * @example
 * ```ts
 * const registry = createTransportRegistry().register(myTransport);
 * const opened = await registry.open("my:thing", { purpose: "system" });
 * ```
 */
export function createTransportRegistry(transports: readonly Transport[] = defaultTransports): TransportRegistry {
  const bySchema = new Map<string, Transport>(transports.map((t) => [t.scheme, t]));
  const registry: TransportRegistry = {
    register(transport) {
      bySchema.set(transport.scheme, transport);
      return registry;
    },
    find(uri) {
      const scheme = /^([a-z][a-z0-9+.-]*):/.exec(uri)?.[1];
      return scheme === undefined ? undefined : bySchema.get(scheme);
    },
    open(uri, options) {
      const transport = registry.find(uri);
      if (transport === undefined) return errAsync(new UsageError(`"${uri}" is not a target: use ${registry.usage()}`));
      const spec = transport.parse(uri);
      if (spec.isErr()) return errAsync(spec.error);
      return transport.open(spec.value, options).map((opened) => ({ ...opened, discard: () => opened.discard(), transport }));
    },
    usage: () => [...bySchema.values()].map((t) => t.usage).join(", "),
  };
  return registry;
}
