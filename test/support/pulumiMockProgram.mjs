// A Pulumi program run with Pulumi's mocks (no engine): declares one NixosHost, takes the
// provider text Pulumi serialized for it, loads that text as Pulumi's dynamic-provider host
// does (require-from-string) and calls its check and create. Arguments: the inputs as JSON,
// then `declare` to stop at the declaration. Prints { type, provider, serializedBytes,
// check, create } as JSON: `provider` is the text the engine keeps in `__provider`.
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";

const require = createRequire(import.meta.url);
const inputs = JSON.parse(process.argv[2] ?? "{}");
const declareOnly = process.argv[3] === "declare";
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
const check = declareOnly ? undefined : await provider.check({}, inputs);
const create = declareOnly || check.failures ? undefined : await provider.create(inputs);
process.stdout.write(JSON.stringify({ type: registered.type, provider: text, serializedBytes: text.length, check, create }));
