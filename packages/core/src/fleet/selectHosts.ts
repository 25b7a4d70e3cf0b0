import { err, ok, type Result } from "neverthrow";
import { UsageError } from "../errors/index.js";
import type { FleetHost } from "./FleetHost.js";

/**
 * The hosts `--on` names: a comma-separated list of host names and tags (a host is
 * selected when any word is its name or one of its tags). A word that is neither is an
 * error, so a typo never deploys less than meant. No selector selects every host.
 *
 * @example
 * ```ts
 * selectHosts(hosts, "proxy,db-1") // every host tagged proxy, and db-1
 * ```
 */
export function selectHosts(hosts: readonly FleetHost[], on: string | readonly string[] | undefined): Result<FleetHost[], UsageError> {
  if (on === undefined) return ok([...hosts]);
  const words = (typeof on === "string" ? [on] : on).flatMap((w) => w.split(",")).map((w) => w.trim()).filter((w) => w !== "");
  if (words.length === 0) return err(new UsageError("--on names no host or tag: give NAME or TAG, comma-separated"));
  const unknown = words.filter((w) => !hosts.some((h) => h.name === w || h.tags.includes(w)));
  if (unknown.length > 0) return err(new UsageError(`--on ${unknown.join(",")}: no host has that name or tag (hosts: ${hosts.map((h) => h.name).join(", ")})`));
  return ok(hosts.filter((h) => words.some((w) => h.name === w || h.tags.includes(w))));
}
