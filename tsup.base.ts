import type { Options } from "tsup";

/** What every library package builds: ESM for Node 20 with types and source maps. */
export const libraryBuild: Options = {
  entry: ["src/index.ts"],
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
  // Target scripts live in .sh files and are inlined as strings (see core/src/shellText.d.ts).
  loader: { ".sh": "text" },
};
