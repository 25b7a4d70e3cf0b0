/**
 * A target script kept as a `.sh` file next to the module that runs it, imported as its
 * text: tsup (`loader: { ".sh": "text" }`) and vitest (a plugin in vitest.config.ts)
 * inline the file at build time, so nothing is read at run time and core stays pure.
 */
declare module "*.sh" {
  const text: string;
  export default text;
}
