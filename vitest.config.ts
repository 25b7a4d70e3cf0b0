import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the packages' sources, so a test run needs no build first; the CLI's
// integration tests run the built binary, as users do.
const alias = {
  "@nixos-via/core": src("core"),
  "@nixos-via/transport-local": src("transport-local"),
  "@nixos-via/transport-ssh": src("transport-ssh"),
  "nixos-via": src("sdk"),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "test/unit/**/*.test.ts"],
        },
      },
      {
        resolve: { alias },
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
