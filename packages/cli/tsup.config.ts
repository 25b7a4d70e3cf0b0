import { defineConfig } from "tsup";
import { requireShim } from "../../tsup.base.js";

export default defineConfig({
  entry: ["src/cli.ts"],
  format: ["esm"],
  target: "node20",
  sourcemap: true,
  clean: true,
  // Target scripts live in .sh files and are inlined as strings (see core/src/shellText.d.ts).
  loader: { ".sh": "text" },
  // commander (CommonJS) is read with the CLI in one file at start-up: every command pays it.
  noExternal: ["commander"],
  banner: requireShim,
});
