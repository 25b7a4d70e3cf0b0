// A Pulumi program run with Pulumi's mocks (no engine): declares one NixosHost, takes the
// provider text Pulumi serialized for it, loads that text as Pulumi's dynamic-provider host
// does (require-from-string) and calls its check and create. Argument: the inputs as JSON.
// Prints { serializedBytes, check, create } as JSON.
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";

const require = createRequire(import.meta.url);
const inputs = JSON.parse(process.argv[2] ?? "{}");
let registered;
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered = args;
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  "nixos-via-test",
  "test",
  false,
);
const { NixosHost } = await import("@nixos-via/pulumi");
const host = new NixosHost("web1", inputs);
await new Promise((resolve) => host.urn.apply(resolve));
const text = registered.inputs.__provider;
const provider = require("require-from-string")(text).handler();
const check = await provider.check({}, inputs);
const create = check.failures ? undefined : await provider.create(inputs);
process.stdout.write(JSON.stringify({ type: registered.type, serializedBytes: text.length, check, create }));
