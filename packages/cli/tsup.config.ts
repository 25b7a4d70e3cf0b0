import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/cli.ts"],
  format: ["esm"],
  target: "node20",
  sourcemap: true,
  clean: true,
  // Target scripts live in .sh files and are inlined as strings (see core/src/shellText.d.ts).
  loader: { ".sh": "text" },
});
