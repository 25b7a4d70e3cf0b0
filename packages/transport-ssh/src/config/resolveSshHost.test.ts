import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveSshHost } from "./resolveSshHost.js";

describe("resolveSshHost", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nixos-via-ssh-config-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const withConfig = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it("applies the config's HostName, User, Port and ProxyJump", async () => {
    const file = await withConfig("good", "Host web\n  HostName 192.0.2.7\n  User admin\n  Port 2222\n  ProxyJump jump1,jump2\n");
    const host = (await resolveSshHost("web", { configFile: file }))._unsafeUnwrap();
    expect(host).toMatchObject({ hostname: "192.0.2.7", user: "admin", port: 2222, proxyJump: ["jump1", "jump2"] });
  });

  it("is no error when the config file is missing", async () => {
    const host = await resolveSshHost("web", { configFile: join(dir, "absent"), user: "root" });
    expect(host._unsafeUnwrap()).toMatchObject({ hostname: "web", port: 22 });
  });

  it.each([
    ["an unterminated quote", 'Host web\n  HostName "192.0.2.7\n', /Unexpected line break/],
    ["a port that is no number", "Host web\n  Port ssh\n", /Port ssh is not a port number/],
  ])("returns one line naming the file for %s, never throws", async (_what, text, reason) => {
    const file = await withConfig(`bad-${text.length}`, text);
    const host = await resolveSshHost("web", { configFile: file });
    expect(host.isErr()).toBe(true);
    const error = host._unsafeUnwrapErr();
    expect(error.code).toBe("SSH_CONFIG");
    expect(error.message).toContain(`cannot parse the SSH config ${file}: `);
    expect(error.message).toMatch(reason);
    expect(error.message).not.toContain("\n");
  });
});
