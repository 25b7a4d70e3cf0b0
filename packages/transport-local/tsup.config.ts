import { defineConfig } from "tsup";
import { libraryBuild, requireShim } from "../../tsup.base.js";

export default defineConfig({
  ...libraryBuild,
  // execa and its ~100 modules, bundled into dist/index.js: Node reads one file at start-up
  // instead of them all (import 150-190 ms -> 30-50 ms on the shared machine). Pure JS, so
  // nothing of it needs its own folder at run time.
  noExternal: ["execa"],
  banner: requireShim,
});
