import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import networkIdentityScript from "./networkIdentity.sh";

const work = mkdtempSync(join(tmpdir(), "network-identity-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A machine with two interfaces: eth0 static v4 + v6, ens4 the cloud way (a /32 with an
// on-link gateway, a v6 /64 with a link-local default route). `ip` prints what the real
// tools print there (the formats of iproute2 6.1 and busybox 1.35, seen in a network namespace).
const sys = join(work, "sys");
for (const [dev, mac] of [["eth0", "52:54:00:12:34:56"], ["ens4", "96:00:01:02:03:04"], ["lo", "00:00:00:00:00:00"]] as const) {
  mkdirSync(join(sys, "class/net", dev), { recursive: true });
  writeFileSync(join(sys, "class/net", dev, "address"), `${mac}\n`);
}

const ADDR = [
  "2: eth0    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever",
  "2: eth0    inet6 2001:db8:15::15/64 scope global \\       valid_lft forever preferred_lft forever",
  "3: ens4    inet 203.0.113.7/32 scope global ens4\\       valid_lft forever preferred_lft forever",
  "3: ens4    inet6 2a01:4f8:c17:1::1/64 scope global dynamic mngtmpaddr \\       valid_lft 86000sec preferred_lft 14000sec",
].join("\n");

const IPROUTE2 = {
  addr: ADDR,
  "-4": [
    "default via 172.31.1.1 dev ens4 proto dhcp src 203.0.113.7 metric 100",
    "10.0.2.0/24 dev eth0 proto kernel scope link src 10.0.2.15",
    "10.99.0.0/16 via 10.0.2.2 dev eth0 proto static",
    "172.31.1.1 dev ens4 proto dhcp scope link src 203.0.113.7 metric 100",
  ].join("\n"),
  "-6": [
    "2001:db8:15::/64 dev eth0 proto kernel metric 256 pref medium",
    "2001:db8:99::/48 via 2001:db8:15::1 dev eth0 proto static metric 1024 pref medium",
    "2a01:4f8:c17:1::/64 dev ens4 proto kernel metric 256 pref medium",
    "fd00::/8 via fe80::2 dev ens4 proto ra metric 1024 expires 1790sec pref medium",
    "fe80::/64 dev eth0 proto kernel metric 256 pref medium",
    "fe80::/64 dev ens4 proto kernel metric 256 pref medium",
    "default via fe80::1 dev ens4 proto static metric 1024 pref medium",
  ].join("\n"),
};

// Busybox's ip prints no proto, and two spaces before metric.
const BUSYBOX = {
  addr: ADDR.replace(/ brd \S+/, ""),
  "-4": ["default via 10.0.2.2 dev eth0 ", "10.0.2.0/24 dev eth0 scope link  src 10.0.2.15 "].join("\n"),
  "-6": [
    "2001:db8:15::/64 dev eth0  metric 256 ",
    "fe80::/64 dev eth0  metric 256 ",
    "default via 2001:db8:15::1 dev eth0  metric 1024 ",
    "multicast ff00::/8 dev eth0  metric 256 ",
  ].join("\n"),
};

/** An `ip` that prints `outputs` for `-o addr show scope global` and `-4|-6 route show`. */
function fakeIp(name: string, outputs: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir);
  for (const [key, text] of Object.entries(outputs)) writeFileSync(join(dir, key), `${text}\n`);
  const ip = join(dir, "ip");
  writeFileSync(ip, `#!/bin/sh\nif [ "$1" = -o ]; then cat ${dir}/addr; else cat ${dir}/"$1"; fi\n`);
  chmodSync(ip, 0o755);
  return ip;
}

// Both tools list the addresses alike: every global one, v4 and v6, by MAC address.
const ADDRESSES = ["addr 52:54:00:12:34:56 10.0.2.15/24", "addr 52:54:00:12:34:56 2001:db8:15::15/64", "addr 96:00:01:02:03:04 203.0.113.7/32", "addr 96:00:01:02:03:04 2a01:4f8:c17:1::1/64"];

const identity = (ip: string) => execFileSync("sh", ["-c", `${networkIdentityScript}\nnetwork_identity "$1" "$2"`, "network-identity", ip, sys], { encoding: "utf8" });

describe("network_identity (networkIdentity.sh)", () => {
  it("carries IPv4 and IPv6 addresses and the routes the kernel did not make, by MAC address", () => {
    expect(identity(fakeIp("iproute2", IPROUTE2)).trim().split("\n")).toEqual([
      ...ADDRESSES,
      "route 96:00:01:02:03:04 -4 default via 172.31.1.1",
      "route 52:54:00:12:34:56 -4 10.99.0.0/16 via 10.0.2.2",
      "route 96:00:01:02:03:04 -4 172.31.1.1",
      "route 52:54:00:12:34:56 -6 2001:db8:99::/48 via 2001:db8:15::1",
      "route 96:00:01:02:03:04 -6 default via fe80::1",
    ]);
  });

  it("with busybox's ip (no proto), keeps the prefix routes, which the installer replaces as they are", () => {
    expect(identity(fakeIp("busybox", BUSYBOX)).trim().split("\n")).toEqual([
      ...ADDRESSES,
      "route 52:54:00:12:34:56 -4 default via 10.0.2.2",
      "route 52:54:00:12:34:56 -4 10.0.2.0/24",
      "route 52:54:00:12:34:56 -6 2001:db8:15::/64",
      "route 52:54:00:12:34:56 -6 default via 2001:db8:15::1",
    ]);
  });
});
