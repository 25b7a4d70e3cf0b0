import { err, ok, type Result } from "neverthrow";
import { UsageError } from "../errors/index.js";
import { compareHostNames } from "./compareHostNames.js";
import type { FleetHost, FleetInstall, FleetSystem } from "./FleetHost.js";

const HOST_KEYS = new Set(["target", "system", "root", "install", "healthChecks", "tags"]);
const INSTALL_KEYS = new Set(["method", "layout", "wipe", "disks", "root", "copyHostKeys", "extraFiles"]);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Reads a network — an attribute set of hosts, as `network.nix` returns it (evaluated to
 * JSON) or as a TypeScript object — into hosts in name order. `target` and `system` are
 * required; `system` is a store path or `{ outPath, drvPath }` (a derivation, still to
 * build; `path` may stand for `outPath`). Every problem is listed, each with the host and field it is about.
 *
 * @example
 * ```ts
 * const hosts = parseNetwork({ "web-1": { target: "dir:/srv/web-1", system: "/nix/store/…-nixos-system-web" } });
 * ```
 */
export function parseNetwork(network: unknown): Result<FleetHost[], UsageError> {
  if (!isRecord(network)) return err(new UsageError(`the network must be an attribute set of hosts, not ${describe(network)}`));
  const problems: string[] = [];
  const hosts: FleetHost[] = [];
  for (const name of Object.keys(network).sort(compareHostNames)) {
    const host = readHost(name, network[name], (field, message) => problems.push(`${name}${field ? `.${field}` : ""}: ${message}`));
    if (host !== undefined) hosts.push(host);
  }
  if (problems.length > 0) {
    return err(new UsageError(`the network has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}: ${problems[0]}`, { details: problems.join("\n") }));
  }
  if (hosts.length === 0) return err(new UsageError("the network has no hosts"));
  return ok(hosts);
}

type Report = (field: string, message: string) => void;

function readHost(name: string, value: unknown, report: Report): FleetHost | undefined {
  if (!NAME.test(name)) report("", "a host name is letters, digits, '.', '_' and '-', starting with a letter or digit");
  if (!isRecord(value)) {
    report("", `a host is an attribute set with target and system, not ${describe(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value)) if (!HOST_KEYS.has(key)) report(key, `unknown field; a host has ${[...HOST_KEYS].join(", ")}`);
  const target = value["target"];
  if (typeof target !== "string" || !/^[a-z][a-z0-9+.-]*:/.test(target)) report("target", `give a target URI such as ssh://root@203.0.113.7 or dir:/srv/roots/web, not ${describe(target)}`);
  const system = readSystem(value["system"], report);
  const root = optionalString(value["root"], "root", report);
  if (root !== undefined && !root.startsWith("/")) report("root", "give an absolute path on the target");
  const install = value["install"] === undefined || value["install"] === null ? undefined : readInstall(value["install"], report);
  const healthChecks = stringList(value["healthChecks"], "healthChecks", report);
  const tags = stringList(value["tags"], "tags", report);
  for (const tag of tags) if (!NAME.test(tag)) report("tags", `tag "${tag}": letters, digits, '.', '_' and '-'`);
  if (typeof target !== "string" || system === undefined) return undefined;
  return { name, target, system, ...(root === undefined ? {} : { root }), ...(install === undefined ? {} : { install }), healthChecks, tags };
}

function readSystem(value: unknown, report: Report): FleetSystem | undefined {
  if (typeof value === "string" && value !== "") return { path: value };
  // A derivation: `outPath` as Nix has it, or `path` as the Nix loader writes it (an
  // attribute set with an outPath would turn into that string in JSON).
  const path = isRecord(value) ? (value["outPath"] ?? value["path"]) : undefined;
  if (isRecord(value) && typeof path === "string") {
    const drvPath = value["drvPath"];
    if (drvPath !== undefined && typeof drvPath !== "string") report("system.drvPath", "a derivation's drvPath is a store path");
    return { path, ...(typeof drvPath === "string" ? { drvPath } : {}) };
  }
  report("system", `give a toplevel derivation or its store path, not ${describe(value)}`);
  return undefined;
}

function readInstall(value: unknown, report: Report): FleetInstall | undefined {
  if (!isRecord(value)) {
    report("install", `an attribute set (method, layout, wipe, …), not ${describe(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value)) if (!INSTALL_KEYS.has(key)) report(`install.${key}`, `unknown field; install has ${[...INSTALL_KEYS].join(", ")}`);
  const method = value["method"] ?? "rescue";
  if (method !== "rescue" && method !== "kexec") report("install.method", `"rescue" or "kexec", not ${describe(method)}`);
  const layout = value["layout"];
  if (layout !== undefined && typeof layout !== "string" && !isRecord(layout)) report("install.layout", `a layout file or disko's disko.devices, not ${describe(layout)}`);
  const disks = value["disks"];
  if (disks !== undefined && !(isRecord(disks) && Object.values(disks).every((d) => typeof d === "string"))) report("install.disks", "an attribute set of disk name = device");
  const root = optionalString(value["root"], "install.root", report);
  const extraFiles = optionalString(value["extraFiles"], "install.extraFiles", report);
  const copyHostKeys = value["copyHostKeys"];
  if (copyHostKeys !== undefined && typeof copyHostKeys !== "boolean") report("install.copyHostKeys", "true or false");
  return {
    method: method === "kexec" ? "kexec" : "rescue",
    ...(typeof layout === "string" || isRecord(layout) ? { layout } : {}),
    wipe: stringList(value["wipe"], "install.wipe", report),
    ...(isRecord(disks) ? { disks: disks as Record<string, string> } : {}),
    ...(root === undefined ? {} : { root }),
    ...(typeof copyHostKeys === "boolean" ? { copyHostKeys } : {}),
    ...(extraFiles === undefined ? {} : { extraFiles }),
  };
}

function optionalString(value: unknown, field: string, report: Report): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  report(field, `a string, not ${describe(value)}`);
  return undefined;
}

function stringList(value: unknown, field: string, report: Report): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return [...(value as string[])];
  report(field, `a list of strings, not ${describe(value)}`);
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === "object" ? "an attribute set" : `${typeof value} ${String(value)}`;
}
