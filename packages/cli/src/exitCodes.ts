/** The exit codes of `nixos-via`, the same for every command. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** It failed; the error line says why. Nothing was left half-done that a rerun cannot finish. */
  Failed: 1,
  /** The arguments were wrong; nothing was touched. */
  Usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
