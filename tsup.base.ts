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

/**
 * For packages that bundle CommonJS dependencies into their ESM dist (`noExternal`): those
 * call `require("child_process")` and the like, which an ES module has not got.
 */
export const requireShim: Options["banner"] = {
  js: 'import { createRequire as __nixosViaCreateRequire } from "node:module"; const require = __nixosViaCreateRequire(import.meta.url);',
};
