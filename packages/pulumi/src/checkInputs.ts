import type { dynamic } from "@pulumi/pulumi";
import type { TransportRegistry } from "nixos-via";
import type { NixosHostInputs } from "./NixosHostInputs.js";
import { normaliseHostKey } from "./pinHostKey.js";
import { isKnown as known } from "./unknownValue.js";


/**
 * What is wrong with a NixosHost's inputs, each with the property it concerns; values not
 * known yet (a server's address during a preview) are checked when they are.
 */
export function checkInputs(news: NixosHostInputs, registry: TransportRegistry): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  if (typeof news.target !== "string") fail("target", "name the machine: ssh://[user@]host[:port] or dir:PATH");
  else if (known(news.target)) {
    const transport = registry.find(news.target);
    if (transport === undefined || !transport.holdsSystem) fail("target", `"${news.target}" is no machine: use ssh://[user@]host[:port] or dir:PATH`);
    else if (news.root !== undefined && news.target.startsWith("dir:")) fail("root", "root is for ssh:// targets; a dir: target is its root");
  }
  if (known(news.system)) {
    const s = news.system as unknown;
    const ok = (typeof s === "string" && s !== "") || (typeof s === "object" && s !== null && typeof (s as { flake?: unknown }).flake === "string");
    if (!ok) fail("system", 'give a built toplevel ("./result", a store path) or { flake: ".#name" }');
  } else if (news.system === undefined) fail("system", 'give a built toplevel ("./result", a store path) or { flake: ".#name" }');
  if (known(news.root) && (typeof news.root !== "string" || !news.root.startsWith("/"))) fail("root", "give an absolute path on the machine, e.g. /");
  if (known(news.hostKey) && normaliseHostKey(news.hostKey) === undefined) fail("hostKey", 'give the public key as "TYPE BASE64", e.g. "ssh-ed25519 AAAA…" (a .pub file\'s line)');
  if (known(news.action) && news.action !== "switch" && news.action !== "boot") fail("action", 'use "switch" or "boot"');
  const method = news.install?.method;
  if (known(method) && method !== "rescue" && method !== "kexec") fail("install.method", 'use "rescue" (from its rescue system) or "kexec" (a machine running another Linux)');
  if (known(news.install?.layout) && news.root !== undefined && news.root !== "/") {
    fail("root", "an install with a layout reboots into the new system, which then runs at /: leave root out");
  }
  return failures;
}
