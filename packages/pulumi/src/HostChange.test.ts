import { describe, expect, it } from "vitest";
import { describeHostChange, type HostChange } from "./HostChange.js";

const base: HostChange = {
  kind: "deploy",
  target: "ssh://root@web1",
  from: "/nix/store/aaaa-nixos-system-web-1",
  to: "/nix/store/bbbb-nixos-system-web-2",
  generation: 4,
  paths: 12,
  bytes: 3 * 2 ** 20,
  activation: "switch",
  kernelChanges: false,
  steps: [],
};

describe("describeHostChange", () => {
  it("says what runs, what comes, what is sent and how it takes over", () => {
    expect(describeHostChange(base)).toBe(
      "ssh://root@web1: runs /nix/store/aaaa-nixos-system-web-1 → generation 4 /nix/store/bbbb-nixos-system-web-2: send 12 store paths (3.0 MiB), switch to it (confirmed over a new connection, else rolled back)",
    );
  });

  it("says when a switch brings a kernel that only a reboot starts", () => {
    expect(describeHostChange({ ...base, kernelChanges: true })).toMatch(/; the new kernel takes effect at the next reboot$/);
  });

  it("says an install reboots into the system, and that nothing changes when it runs already", () => {
    expect(describeHostChange({ ...base, kind: "install", from: undefined, generation: 1, activation: "reboot" })).toMatch(/: not NixOS yet → install \/nix\/store\/bbbb-nixos-system-web-2 as generation 1: send 12 store paths \(3\.0 MiB\), reboot into it$/);
    expect(describeHostChange({ ...base, kind: "none", to: base.from! })).toBe("ssh://root@web1: runs /nix/store/aaaa-nixos-system-web-1 (generation 4) already: nothing to do");
  });

  it("says an install by kexec uploads and boots the installer first, and how big it is", () => {
    const kexec = { uploadBytes: 90 * 2 ** 20, kernelBytes: 10 * 2 ** 20, initrdBytes: 80 * 2 ** 20, reusedPaths: 30, reusedBytes: 200 * 2 ** 20, loadRamBytes: 100 * 2 ** 20, installerRamBytes: 400 * 2 ** 20 };
    expect(describeHostChange({ ...base, kind: "install", from: undefined, generation: 1, activation: "reboot", kexec })).toMatch(
      /: not NixOS yet → install \/nix\/store\/bbbb-nixos-system-web-2 as generation 1 by kexec \(upload the installer, 90\.0 MiB, and boot it in 400\.0 MiB of RAM\): send 12 store paths \(3\.0 MiB\), reboot into it$/,
    );
  });
});
