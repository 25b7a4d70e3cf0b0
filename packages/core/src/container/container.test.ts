import { describe, expect, it } from "vitest";
import { containerNetwork } from "./containerNetwork.js";
import { parseContainerStatus } from "./ContainerStatus.js";
import { nsenterArgv } from "./enterRunningContainer.js";

describe("containerNetwork", () => {
  it("picks the subnet's first address for the host, or the second when the container has it", () => {
    expect(containerNetwork("10.231.0.2/24")._unsafeUnwrap()).toEqual({ address: "10.231.0.2/24", hostAddress: "10.231.0.1/24" });
    expect(containerNetwork("10.231.0.1/24")._unsafeUnwrap().hostAddress).toBe("10.231.0.2/24");
    expect(containerNetwork("192.168.7.10/30")._unsafeUnwrap().hostAddress).toBe("192.168.7.9/30");
    expect(containerNetwork("10.0.0.5/24", "10.0.0.254/24")._unsafeUnwrap().hostAddress).toBe("10.0.0.254/24");
  });

  it("refuses what is no IPv4 CIDR, a /31 or /32, and one address for both ends", () => {
    for (const bad of ["10.0.0.2", "10.0.0.256/24", "fe80::1/64", "10.0.0.2/33"]) expect(containerNetwork(bad).isErr()).toBe(true);
    expect(containerNetwork("10.0.0.2/31")._unsafeUnwrapErr().message).toContain("/30 or shorter");
    expect(containerNetwork("10.0.0.2/24", "10.0.0.2/24")._unsafeUnwrapErr().code).toBe("USAGE");
  });
});

describe("parseContainerStatus", () => {
  it("reads the fields and the console lines", () => {
    const text = [
      "state=running", "root=/srv/web", "statedir=/srv/.web.container", "pid=4242", "current=/nix/store/b-2", "toplevel=/nix/store/a-1",
      "network=private", "interface=ve-4242", "address=10.231.0.2/24", "hostaddress=10.231.0.1/24", "console:", "booting", "x=y is console text", "",
    ].join("\n");
    expect(parseContainerStatus(text)._unsafeUnwrap()).toEqual({
      state: "running", root: "/srv/web", stateDir: "/srv/.web.container", pid: 4242, toplevel: "/nix/store/a-1", current: "/nix/store/b-2",
      exitStatus: undefined, network: "private", veth: { hostInterface: "ve-4242", address: "10.231.0.2/24", hostAddress: "10.231.0.1/24" },
      console: ["booting", "x=y is console text"],
    });
  });

  it("refuses output without a known state", () => {
    expect(parseContainerStatus("state=sleeping\nroot=/r\nstatedir=/s\n").isErr()).toBe(true);
    expect(parseContainerStatus("").isErr()).toBe(true);
  });
});

describe("nsenterArgv", () => {
  it("enters every namespace, the root and the folder, with a clean environment", () => {
    expect(nsenterArgv({ pid: 7, toplevel: "/nix/store/t" }, ["nix-store", "--version"], { NIX_REMOTE: "" }).slice(3)).toEqual([
      "nixos-via-nsenter", "-t", "7", "-m", "-u", "-i", "-n", "-p", "-r", "-w", "--", "/nix/store/t/sw/bin/env", "-i",
      "PATH=/run/current-system/sw/bin:/run/current-system/sw/sbin:/nix/store/t/sw/bin", "HOME=/root", "USER=root", "NIX_REMOTE=", "nix-store", "--version",
    ]);
  });
});
