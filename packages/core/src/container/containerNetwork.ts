import { err, ok, type Result } from "neverthrow";
import { UsageError } from "../errors/index.js";

/** The two ends of a container's veth pair, as `ip addr` takes them (`A.B.C.D/P`). */
export interface ContainerNetwork {
  readonly address: string;
  readonly hostAddress: string;
}

/**
 * Checks the container's address (IPv4 CIDR) and picks the host's end of the veth pair
 * when none is given: the subnet's first address, or its second when the container has
 * the first. The host end is the container's default route.
 *
 * @example
 * ```ts
 * containerNetwork("10.231.0.2/24") // Ok({ address: "10.231.0.2/24", hostAddress: "10.231.0.1/24" })
 * ```
 */
export function containerNetwork(address: string, hostAddress?: string): Result<ContainerNetwork, UsageError> {
  const own = parseCidr(address);
  if (own === undefined) return err(new UsageError(`address ${address}: give the container's IPv4 address with its prefix, e.g. 10.231.0.2/24`));
  if (own.prefix > 30) return err(new UsageError(`address ${address}: a /${own.prefix} leaves no room for the host's end; use /30 or shorter`));
  if (hostAddress !== undefined) {
    const host = parseCidr(hostAddress);
    if (host === undefined) return err(new UsageError(`host address ${hostAddress}: give an IPv4 address with its prefix, e.g. 10.231.0.1/24`));
    if (host.ip === own.ip) return err(new UsageError(`the host and the container cannot both have ${format(own.ip)}`));
    return ok({ address, hostAddress });
  }
  const mask = own.prefix === 0 ? 0 : (0xffffffff << (32 - own.prefix)) >>> 0;
  const network = (own.ip & mask) >>> 0;
  const first = (network + 1) >>> 0;
  const host = first === own.ip ? (network + 2) >>> 0 : first;
  return ok({ address, hostAddress: `${format(host)}/${own.prefix}` });
}

function parseCidr(text: string): { ip: number; prefix: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  return { ip: octets.reduce((a, o) => ((a << 8) | o) >>> 0, 0), prefix };
}

function format(ip: number): string {
  return [24, 16, 8, 0].map((s) => (ip >>> s) & 255).join(".");
}
