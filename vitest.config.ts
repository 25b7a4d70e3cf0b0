import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the packages' sources, so a test run needs no build first; the CLI's
// integration tests run the built binary, as users do.
const alias = {
  "@nixos-via/core": src("core"),
  "@nixos-via/transport-local": src("transport-local"),
  "@nixos-via/transport-ssh": src("transport-ssh"),
  "@nixos-via/testing": src("testing"),
  "nixos-via": src("sdk"),
  "@nixos-via/pulumi": src("pulumi"),
};

// Target scripts are `.sh` files imported as their text, as tsup's `loader: { ".sh": "text" }`
// does for the builds (see packages/core/src/shellText.d.ts).
const shellText: Plugin = {
  name: "nixos-via-shell-text",
  enforce: "pre",
  load(id) {
    const file = id.split("?")[0]!;
    return file.endsWith(".sh") ? `export default ${JSON.stringify(readFileSync(file, "utf8"))};` : undefined;
  },
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        plugins: [shellText],
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "test/unit/**/*.test.ts"],
        },
      },
      {
        resolve: { alias },
        plugins: [shellText],
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/conformance/**/*.test.ts", "test/e2e/**/*.test.ts"],
          // Real Nix, real mounts and QEMU on two cores: one file at a time.
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
