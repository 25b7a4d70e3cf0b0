import { Command, CommanderError, Option } from "commander";
import { install } from "./commands/install.js";
import { ExitCode } from "./exitCodes.js";
import type { Io } from "./Io.js";

const TARGETS = `Targets:
  dir:PATH                   a directory used as the system's root`;

/**
 * Runs `nixos-via` with the given arguments and returns its exit code: 0 done, 1 failed,
 * 2 usage error. Never calls `process.exit`, so it can run inside tests.
 */
export async function main(argv: readonly string[], io: Io, signal: AbortSignal): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Ok;
  const program = new Command("nixos-via")
    .description("Install and deploy NixOS systems built on this machine onto directories, disks and hosts.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  program
    .command("install")
    .description("install a built NixOS system onto a target, as nixos-install does")
    .argument("<target>", "where to install (see Targets below)")
    .addOption(new Option("--system <path>", "the built system toplevel (config.system.build.toplevel)").conflicts("flake"))
    .option("--flake <ref>", "build nixosConfigurations.NAME of FLAKE#NAME first, then install it")
    .option("-n, --dry-run", "print every step and command of the plan, touch nothing")
    .option("--json", "print one JSON event per line on stdout")
    .addHelpText(
      "after",
      `\n${TARGETS}\n\nExamples:\n  nixos-via install dir:/srv/roots/web --system ./result\n  nixos-via install dir:/srv/roots/web --flake .#web --dry-run`,
    )
    .action(async (target: string, options: { system?: string; flake?: string; dryRun?: boolean; json?: boolean }) => {
      exitCode = await install(target, options, io, signal);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      const harmless = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      return harmless ? ExitCode.Ok : ExitCode.Usage;
    }
    throw error;
  }
  return exitCode;
}
