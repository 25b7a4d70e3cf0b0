import { describe, expect, it } from "vitest";
import { checkKexec } from "./checkKexec.js";
import { parseKexecFacts } from "./KexecFacts.js";
import type { KexecInstaller } from "./KexecInstaller.js";

const MIB = 2 ** 20;
const installer: KexecInstaller = {
  path: "/nix/store/x-nixos-via-kexec-installer",
  kernelBytes: 8 * MIB,
  initrdBytes: 14 * MIB,
  uploadBytes: 26 * MIB,
  unpackedBytes: 40 * MIB,
  storePaths: [],
  reusedBytes: 0,
  tools: ["sh"],
  fromHost: [],
  kernelRelease: "6.1.0",
  modules: ["ext4"],
};
const stock = "machine=x86_64\nkernel=6.1.0-57-amd64\nuid=0\nmem_total_kib=460000\nmem_available_kib=400000\nupload_dir=/run\nkexec_load_disabled=0\nkexec_support=1\nlockdown=none\ntar=1\n";
const refusal = (extra: string) => checkKexec("ssh://vps", parseKexecFacts(stock + extra), installer)?.message;

describe("checkKexec", () => {
  it("accepts a stock machine with RAM for the switch", () => {
    expect(refusal("")).toBeUndefined();
  });
  it.each([
    ["uid=1000\n", /not run as root/],
    ["container=lxc\n", /container \(lxc\)/],
    ["xen_pv=1\n", /Xen PV/],
    ["kexec_load_disabled=1\n", /kexec is switched off/],
    ["lockdown=integrity\nsecure_boot=1\n", /locked down \(integrity, Secure Boot is on\)/],
    ["mem_available_kib=40000\n", /39 MiB of RAM is available and the switch needs 64 MiB/],
    ["mem_total_kib=100000\n", /has 97 MiB of RAM and the installer needs 150 MiB/],
  ])("refuses %j before any change", (extra, why) => {
    const message = refusal(extra);
    expect(message).toMatch(why);
    expect(message).toMatch(/\(nothing was changed\)$/);
  });
  it("tells a rerun that comes before an earlier run's switch to wait, instead of starting a second takeover", () => {
    expect(refusal("kexec_switching=1\n")).toMatch(/^ssh:\/\/vps is switching to the nixos-via installer .*: wait a few seconds and run the same command again/);
  });
});
