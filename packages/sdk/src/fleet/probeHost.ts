import { okAsync, ResultAsync } from "neverthrow";
import { listGenerations, profilePaths, type FleetHost, type HostFacts } from "@nixos-via/core";
import type { OperationOptions } from "../operations/common.js";
import { openHost } from "./openHost.js";

/**
 * Looks at one host: can it be reached, does it hold a system, which toplevel and
 * generation is current. Never fails: a host that cannot be looked at is `unreachable`.
 */
export function probeHost(host: FleetHost, options: Pick<OperationOptions, "registry" | "connection">): Promise<HostFacts> {
  const looked = openHost(host, options).andThen(({ target }) =>
    new ResultAsync(
      (async () => {
        const read = await target.exec(["test", "-L", profilePaths(target.root).system]).andThen((r) =>
          r.exitCode !== 0 ? okAsync<HostFacts>({ reachable: true }) : listGenerations(target).map((gens): HostFacts => {
            const current = gens.find((g) => g.current);
            return { reachable: true, ...(current === undefined ? {} : { current: current.toplevel, generation: current.number }) };
          }),
        );
        await target.close();
        return read;
      })(),
    ),
  );
  return looked.match(
    (facts) => facts,
    (error): HostFacts => ({ reachable: false, reason: error.message, code: error.code }),
  );
}
