import { ProbeError } from "../errors/index.js";
import { err, ok, type Result } from "neverthrow";

/** Where a container stands: `exited` means its init ended by itself (it died). */
export type ContainerState = "running" | "stopped" | "exited" | "absent";

/** What `status` found about a root's container. */
export interface ContainerStatus {
  readonly state: ContainerState;
  /** The root, as the host resolved it. */
  readonly root: string;
  /** The folder beside the root that holds the container's state. */
  readonly stateDir: string;
  /** The init's PID on the host, while it runs. */
  readonly pid?: number | undefined;
  /** The toplevel it booted (its init). */
  readonly toplevel?: string | undefined;
  /** The toplevel it runs now (`/run/current-system` inside), while it runs: a deploy switches it in place. */
  readonly current?: string | undefined;
  /** How the init ended, once it has. */
  readonly exitStatus?: number | undefined;
  /** `private`: its own network namespace; `host`: the host's network. */
  readonly network?: "private" | "host" | undefined;
  /** The veth pair: the host's side, and the addresses of both ends. */
  readonly veth?: { readonly hostInterface: string; readonly address: string; readonly hostAddress: string } | undefined;
  /** The last lines of its console. */
  readonly console: readonly string[];
}

const STATES: readonly ContainerState[] = ["running", "stopped", "exited", "absent"];

/**
 * Reads the container script's `status` output: `key=value` lines, then `console:` and
 * the console's last lines.
 *
 * @example
 * ```ts
 * parseContainerStatus("state=running\nroot=/r\nstatedir=/.r.container\npid=7\nconsole:\nup\n");
 * ```
 */
export function parseContainerStatus(text: string): Result<ContainerStatus, ProbeError> {
  const lines = text.split("\n");
  const at = lines.indexOf("console:");
  const head = at < 0 ? lines : lines.slice(0, at);
  const console = at < 0 ? [] : lines.slice(at + 1);
  if (console.at(-1) === "") console.pop();
  const fields = new Map<string, string>();
  for (const line of head) {
    const eq = line.indexOf("=");
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const state = fields.get("state") as ContainerState | undefined;
  const root = fields.get("root");
  const stateDir = fields.get("statedir");
  if (state === undefined || !STATES.includes(state) || root === undefined || stateDir === undefined) {
    return err(new ProbeError("the container status could not be read", { details: text.slice(0, 2000) }));
  }
  const number = (key: string) => (fields.has(key) ? Number(fields.get(key)) : undefined);
  const network = fields.get("network");
  const hostInterface = fields.get("interface");
  return ok({
    state,
    root,
    stateDir,
    pid: number("pid"),
    toplevel: fields.get("toplevel"),
    current: fields.get("current"),
    exitStatus: number("exit"),
    network: network === "private" || network === "host" ? network : undefined,
    veth: hostInterface === undefined ? undefined : { hostInterface, address: fields.get("address") ?? "", hostAddress: fields.get("hostaddress") ?? "" },
    console,
  });
}
