import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { execa } from "execa";

// The Pulumi engine's side of a dynamic provider, without the engine (its `pulumi` binary
// is not installable here): the provider text a program's NixosHost serializes, and Pulumi's
// own dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`, what the engine runs as
// `pulumi-resource-pulumi-nodejs`) called over gRPC with the requests the engine sends.

// Pulumi's own copies of gRPC and protobuf, which its generated stubs use.
const pulumiRequire = createRequire(createRequire(import.meta.url).resolve("@pulumi/pulumi"));
const grpc = pulumiRequire("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(v: unknown): unknown } };
/* eslint-disable @typescript-eslint/no-explicit-any -- Pulumi's generated protobuf classes */
const provproto = pulumiRequire("./proto/provider_pb") as any;
const provrpc = pulumiRequire("./proto/provider_grpc_pb") as any;
const hostScript = join(dirname(pulumiRequire.resolve("./cmd/dynamic-provider/index.js")), "index.js");

export type Props = Record<string, unknown>;

/** Declares a NixosHost in a program on Pulumi's mocks and returns its inputs as the engine stores them: with `__provider`, the serialized provider. */
export async function declaredInputs(inputs: Props): Promise<{ type: string; inputs: Props }> {
  const program = new URL("./pulumiMockProgram.mjs", import.meta.url).pathname;
  const run = await execa("node", [program, JSON.stringify(inputs), "declare"]);
  const out = JSON.parse(run.stdout) as { type: string; provider: string };
  return { type: out.type, inputs: { ...inputs, __provider: out.provider } };
}

/** Pulumi's dynamic-provider host, running; each method is the engine's RPC of that name, Structs in and out as plain values. */
export interface DynamicProviderHost {
  /** What the host process wrote on stderr, line by line: the engine shows these in the CLI (pkg/resource/plugin/plugin.go). */
  readonly stderr: string[];
  /**
   * The stderr lines after the first `mark`, once at least `count` have come: the host
   * answers a call before its stderr pipe is read here, so a line can land just after the
   * reply. Gives what has come after 10 s, for the assertion to show.
   */
  stderrSince(mark: number, count?: number): Promise<string[]>;
  configure(): Promise<void>;
  check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(urn: string, id: string, olds: Props, news: Props, oldInputs: Props): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[] }>;
  create(urn: string, properties: Props): Promise<{ id: string; properties: Props }>;
  read(urn: string, id: string, properties: Props, inputs: Props): Promise<{ id: string; properties: Props }>;
  update(urn: string, id: string, olds: Props, news: Props, oldInputs: Props): Promise<{ properties: Props }>;
  delete(urn: string, id: string, properties: Props): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the host as the engine does (the engine's address as its argument; the host prints its port) and connects to it. */
export async function startDynamicProviderHost(cwd: string): Promise<DynamicProviderHost> {
  const child = execa("node", [hostScript, "127.0.0.1:1"], { cwd, reject: false, stdin: "ignore", buffer: false });
  const stderr: string[] = [];
  let partial = "";
  child.stderr!.on("data", (d: Buffer) => {
    const parts = (partial + d.toString()).split("\n");
    partial = parts.pop()!;
    stderr.push(...parts);
  });
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = /^(\d+)\n/.exec(out);
      if (line) resolve(line[1]!);
    });
    void child.then((r) => reject(new Error(`the dynamic-provider host ended (${r.exitCode}): ${stderr.join("\n")}`)));
  });
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp))));
  const struct = (v: Props) => Struct.fromJavaScript(v);
  const CHANGES: Record<number, "none" | "some" | "unknown"> = {
    [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
    [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
    [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
  };
  return {
    stderr,
    stderrSince: async (mark, count = 1) => {
      for (const end = Date.now() + 10_000; stderr.length < mark + count && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      return stderr.slice(mark);
    },
    configure: async () => {
      const req = new provproto.ConfigureRequest();
      req.setArgs(struct({}));
      await call("configure", req);
    },
    check: async (urn, olds, news) => {
      const req = new provproto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const resp = await call<any>("check", req);
      return { inputs: resp.getInputs().toJavaScript(), failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })) };
    },
    diff: async (urn, id, olds, news, oldInputs) => {
      const req = new provproto.DiffRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      req.setOldInputs(struct(oldInputs));
      const resp = await call<any>("diff", req);
      return { changes: CHANGES[resp.getChanges()]!, replaces: resp.getReplacesList() };
    },
    create: async (urn, properties) => {
      const req = new provproto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(struct(properties));
      const resp = await call<any>("create", req);
      return { id: resp.getId(), properties: resp.getProperties().toJavaScript() };
    },
    read: async (urn, id, properties, inputs) => {
      const req = new provproto.ReadRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(properties));
      req.setInputs(struct(inputs));
      const resp = await call<any>("read", req);
      return { id: resp.getId(), properties: resp.getProperties().toJavaScript() };
    },
    update: async (urn, id, olds, news, oldInputs) => {
      const req = new provproto.UpdateRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      req.setOldInputs(struct(oldInputs));
      const resp = await call<any>("update", req);
      return { properties: resp.getProperties().toJavaScript() };
    },
    delete: async (urn, id, properties) => {
      const req = new provproto.DeleteRequest();
      req.setUrn(urn);
      req.setId(id);
      req.setProperties(struct(properties));
      await call("delete", req);
    },
    stop: async () => {
      client.close();
      child.kill("SIGTERM");
      await child;
    },
  };
}
