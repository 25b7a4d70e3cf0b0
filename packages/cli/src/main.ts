import { Command, CommanderError, Option } from "commander";
import { UsageError } from "@nixos-via/core";
import { deploy } from "./commands/deploy.js";
import { enter } from "./commands/enter.js";
import { fleetDeploy, fleetPlan } from "./commands/fleet/fleetDeploy.js";
import { fleetInfo } from "./commands/fleet/fleetInfo.js";
import { addFleetOptions, addRolloutOptions, collectArg } from "./commands/fleet/fleetOptions.js";
import { fleetSetArgs } from "./commands/fleet/fleetSetArgs.js";
import { gc } from "./commands/gc.js";
import { generations } from "./commands/generations.js";
import { install } from "./commands/install.js";
import { layoutCommand } from "./commands/layout.js";
import { logs } from "./commands/logs.js";
import { start } from "./commands/start.js";
import { status } from "./commands/status.js";
import { stop } from "./commands/stop.js";
import { rollback } from "./commands/rollback.js";
import { addConnectionOptions, collect } from "./connectionOptions.js";
import { ExitCode } from "./exitCodes.js";
import type { Io } from "./Io.js";
import { collectPair, joinPairedOption } from "./pairedOption.js";
import { parseOptionValue } from "./parseOptionValue.js";
import { reportUnexpected, wantsDebug } from "./reportUnexpected.js";

const TARGETS = `Targets:
  dir:PATH                   a directory used as the system's root
  disk:/dev/DEVICE           a whole local disk (needs --wipe DEVICE and a layout)
  image:FILE                 a disk image file (needs a layout; --image-size to create it)
  ssh://[user@]host[:port]   a remote machine, e.g. in its rescue system (needs a layout
                             and --wipe DEVICE, or --root DIR)
A layout is --layout FILE, or the one the system carries at <toplevel>/disko.json.`;

const FLEET_HELP = `
The network file is a Nix function of arguments with defaults returning hosts:
  { nrProxyInstances ? 2 }: {
    "proxy-1" = { target = "ssh://root@203.0.113.7"; system = <toplevel derivation or path>;
                  install = { layout = ./disks.json; wipe = [ "/dev/sda" ]; };
                  healthChecks = [ "curl -fs localhost" ]; tags = [ "proxy" ]; };
  }
Its state (arguments, the last rollout) is kept beside it: network.nix -> network.state.json.

Examples:
  nixos-via fleet set-args --arg nrProxyInstances 200
  nixos-via fleet plan
  nixos-via fleet deploy --canary 1 --max-unavailable 25% --halt-after 2
  nixos-via fleet deploy --on proxy --resume`;

/** How {@link main} runs. */
export interface MainOptions {
  /**
   * Parse the command line (command, options, their values and conflicts) and stop before
   * the command runs: 0 when it parses, 2 with the usual one line when not. The test suite
   * checks every command example in the docs this way. @default false
   */
  readonly validateOnly?: boolean | undefined;
}

/** Thrown by the pre-action hook of a {@link MainOptions.validateOnly} run. */
class Validated extends Error {}

/**
 * Runs `nixos-via` with the given arguments and returns its exit code: 0 done, 1 failed,
 * 2 usage error. Never calls `process.exit`, so it can run inside tests, and never throws:
 * an unexpected error is one line too (its stack with `--debug` or `NIXOS_VIA_DEBUG=1`).
 */
export async function main(argv: readonly string[], io: Io, signal: AbortSignal, options: MainOptions = {}): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = new Command("nixos-via")
    .description("Install and deploy NixOS systems built on this machine onto directories, disks and hosts.")
    .version("0.1.0")
    .option("--debug", "print the stack of an unexpected error (or set NIXOS_VIA_DEBUG=1)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Commander's own messages start "error: ", as the one line every failure prints.
      // One line like every failure, the hint in it; with --json also the error event.
      outputError: (s, write) => {
        const message = s.replace(/^error: /, "").trim();
        write(`nixos-via: error: ${message} (run with --help for usage)\n`);
        // A fleet command's events all carry `host`; the rollout's own have null.
        const host = argv[0] === "fleet" ? { host: null } : {};
        if (argv.includes("--json")) io.stdout.write(`${JSON.stringify({ type: "error", ...host, error: new UsageError(message) })}\n`);
      },
    });

  const install_ = program
    .command("install")
    .description("install a built NixOS system onto a target, as nixos-install does")
    .argument("<target>", "where to install (see Targets below)")
    .addOption(new Option("--system <path>", "the built system toplevel (config.system.build.toplevel)").conflicts("flake"))
    .option("--flake <ref>", "build nixosConfigurations.NAME of FLAKE#NAME first, then install it")
    .option("--layout <file>", "partition, format and mount the disks first (disko's disko.devices as JSON); default: the system's own <toplevel>/disko.json, if it has one")
    .option("--allow-layout-hooks", "run the layout's hooks (disko's preCreateHook, postMountHook, ...): shell code, refused without this")
    .option("--wipe <device>", "allow erasing this device; must name each disk exactly (repeatable)", collect, [])
    .option("--disk <name=device>", "the device of a disk of a multi-disk layout (repeatable)", collect, [])
    .option("--image-size <size>", "create the image: target with this size (e.g. 4G) when it does not exist", parseOptionValue.size)
    .option("--root <dir>", "for ssh://: where the new system's root is mounted (default /mnt with --layout)")
    .option(
      "--disk-encryption-keys <remote> <local>",
      "send the key file LOCAL for the layout's LUKS devices, which read it at REMOTE; kept in a tmpfs, removed at the end (repeatable)",
      collectPair,
      [],
    )
    .option("--extra-files <dir>", "copy this folder's contents into the new root (owned by root, modes kept)")
    .option("--copy-host-keys", "for ssh://: give the new system the machine's current SSH host keys")
    .option("--kexec", "for ssh://: the machine runs another Linux; take it over with kexec into an installer made from the system's closure, then install onto its disks (needs --layout, --wipe)")
    .option("--no-reboot", "for ssh:// with --layout: do not reboot into the new system")
    .option("--wait-timeout <seconds>", "for ssh://: how long to wait for the rebooted machine (default 600)", parseOptionValue.seconds)
    .option("--delta", "send paths as deltas to local targets too (ssh:// gets them by default)")
    .option("--no-delta", "send every path in full, never as a delta against its predecessor on the target")
    .option("-n, --dry-run", "print every step and command of the plan, touch nothing")
    .option("--json", "print one JSON event per line on stdout")
    .addHelpText(
      "after",
      `\n${TARGETS}\n\nExamples:\n` +
        "  nixos-via install dir:/srv/roots/web --system ./result\n" +
        "  nixos-via install image:web.img --image-size 4G --layout disks.json --system ./result\n" +
        "  nixos-via install disk:/dev/sdb --wipe /dev/sdb --layout disks.json --system /run/current-system\n" +
        "  nixos-via install ssh://root@203.0.113.7 --wipe /dev/sda --layout disks.json --flake .#web\n" +
        "  nixos-via install ssh://root@203.0.113.7 --wipe /dev/sda --layout luks.json --system ./result \\\n" +
        "      --disk-encryption-keys /tmp/secret.key ./secret.key",
    )
    .action(async (target: string, options: Parameters<typeof install>[1]) => {
      exitCode = await install(target, options, io, signal);
    });
  addConnectionOptions(install_);

  const SYSTEM_TARGETS =
    `\nTargets: dir:PATH (a stored root) or ssh://[user@]host[:port] (a running NixOS; with --root DIR a root on that host).` +
    `\nA root whose container runs (nixos-via start) is worked on inside the container, as a running system.`;
  const ROOT_HELP = "for ssh://: a root on that host instead of its own / (a stored root, a container's root)";
  addConnectionOptions(
    program
      .command("deploy")
      .description("update a running or stored NixOS incrementally: new generation, safe switch, rollback on failure")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port]")
      .option("--root <dir>", ROOT_HELP)
      .addOption(new Option("--system <path>", "the built system toplevel").conflicts("flake"))
      .option("--flake <ref>", "build nixosConfigurations.NAME of FLAKE#NAME first")
      .addOption(new Option("--action <action>", "switch-to-configuration action").choices(["switch", "boot", "test", "dry-activate"]).default("switch"))
      .option("--no-magic-rollback", "do not require confirmation over a new connection after switch/test")
      .option("--confirm-timeout <seconds>", "how long the target waits for confirmation before rolling back", parseOptionValue.seconds, 30)
      .option("--health-check <cmd>", "a shell command run on the target after the switch; failing rolls back (repeatable)", collect, [])
      .option("--health-timeout <seconds>", "how long each health check may run before it is stopped and the target rolls back", parseOptionValue.seconds, 60)
      .option("--delta", "send paths as deltas to local targets too (ssh:// gets them by default)")
      .option("--no-delta", "send every path in full, never as a delta against its predecessor on the target")
      .option("-n, --dry-run", "show what would change and every step, touch nothing")
      .option("--json", "print one JSON event per line on stdout")
      .addHelpText("after", `${SYSTEM_TARGETS}\n\nExamples:\n  nixos-via deploy ssh://admin@web1 --flake .#web\n  nixos-via deploy ssh://web1 --system ./result --health-check 'curl -fs localhost'\n  nixos-via deploy dir:/var/lib/machines/web --system ./result`),
  ).action(async (target: string, options: Parameters<typeof deploy>[1]) => {
    exitCode = await deploy(target, options, io, signal);
  });

  addConnectionOptions(
    program
      .command("rollback")
      .description("make the previous generation current and switch to it")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port]")
      .option("--root <dir>", ROOT_HELP)
      .option("--no-magic-rollback", "do not require confirmation over a new connection")
      .option("--confirm-timeout <seconds>", "how long the target waits for confirmation", parseOptionValue.seconds, 30)
      .option("-n, --dry-run", "print every step of the rollback, touch nothing")
      .option("--json", "print one JSON event per line on stdout")
      .addHelpText("after", SYSTEM_TARGETS),
  ).action(async (target: string, options: Parameters<typeof rollback>[1]) => {
    exitCode = await rollback(target, options, io, signal);
  });

  addConnectionOptions(
    program
      .command("generations")
      .description("list the system generations: number, date, closure size, toplevel, which is current")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port]")
      .option("--root <dir>", ROOT_HELP)
      .option("--json", "print them as one JSON object")
      .addHelpText("after", SYSTEM_TARGETS),
  ).action(async (target: string, options: Parameters<typeof generations>[1]) => {
    exitCode = await generations(target, options, io);
  });

  addConnectionOptions(
    program
      .command("gc")
      .description("remove old generations, then collect garbage with the target's own Nix")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port]")
      .option("--root <dir>", ROOT_HELP)
      .option("--keep <n>", "keep N generations: the current one, then the newest others", parseOptionValue.count)
      .option("--older-than <days>", "remove generations older than this, e.g. 30d (never the current one)", parseOptionValue.days)
      .option("-n, --dry-run", "print what would be removed, touch nothing")
      .option("--json", "print one JSON event per line on stdout")
      .addHelpText("after", SYSTEM_TARGETS),
  ).action(async (target: string, options: Parameters<typeof gc>[1]) => {
    exitCode = await gc(target, options, io, signal);
  });

  const CONTAINER_TARGETS =
    "\nTargets: dir:PATH (a root on this machine) or ssh://[user@]host[:port] --root DIR (a root on that host;\n" +
    "it needs util-linux and iproute2 there, no Nix). State and console: PARENT/.NAME.container/ beside the root.";
  addConnectionOptions(
    program
      .command("start")
      .description("boot a root's system as a container: its init as PID 1 of its own namespaces, detached")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port] with --root")
      .option("--root <dir>", "for ssh://: the container's root on that host")
      .option("--net", "give it its own network namespace (only lo, unless --address adds a veth pair)")
      .option("--address <cidr>", "its IPv4 address on a veth pair, e.g. 10.231.0.2/24 (implies --net)")
      .option("--host-address <cidr>", "the host's end of the pair, its default route (default: the subnet's first free address)")
      .option("-n, --dry-run", "print the command that would run on the host, start nothing")
      .option("--json", "print the result as JSON")
      .addHelpText(
        "after",
        `${CONTAINER_TARGETS}\n\nExamples:\n  nixos-via start dir:/var/lib/machines/web --address 10.231.0.2/24\n  nixos-via start ssh://root@host --root /var/lib/machines/web --net`,
      ),
  ).action(async (target: string, options: Parameters<typeof start>[1]) => {
    exitCode = await start(target, options, io, signal);
  });

  addConnectionOptions(
    program
      .command("stop")
      .description("stop a root's container: SIGTERM to its init, then SIGKILL after --timeout")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port] with --root")
      .option("--root <dir>", "for ssh://: the container's root on that host")
      .option("--timeout <seconds>", "how long its init may take to stop before it is killed", parseOptionValue.seconds, 10)
      .option("-n, --dry-run", "print the command that would run on the host, stop nothing")
      .option("--json", "print the result as JSON")
      .addHelpText("after", CONTAINER_TARGETS),
  ).action(async (target: string, options: Parameters<typeof stop>[1]) => {
    exitCode = await stop(target, options, io, signal);
  });

  addConnectionOptions(
    program
      .command("status")
      .description("whether a root runs as a container (exit 0) or not (exit 1), with its console's last lines")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port] with --root")
      .option("--root <dir>", "for ssh://: the container's root on that host")
      .option("--lines <n>", "console lines to show", parseOptionValue.count, 10)
      .option("--json", "print it as one JSON object")
      .addHelpText("after", CONTAINER_TARGETS),
  ).action(async (target: string, options: Parameters<typeof status>[1]) => {
    exitCode = await status(target, options, io);
  });

  addConnectionOptions(
    program
      .command("logs")
      .description("print a root's container console (what its init printed since it started)")
      .argument("<target>", "dir:PATH or ssh://[user@]host[:port] with --root")
      .option("--root <dir>", "for ssh://: the container's root on that host")
      .option("-n, --lines <n>", "only the last N lines", parseOptionValue.count)
      .option("-f, --follow", "keep printing until the container stops (or Ctrl-C)")
      .option("--json", "one JSON object per console line")
      .addHelpText("after", CONTAINER_TARGETS),
  ).action(async (target: string, options: Parameters<typeof logs>[1]) => {
    exitCode = await logs(target, options, io, signal);
  });

  program
    .command("enter")
    .description("run a shell or a command inside a dir: root, as nixos-enter does")
    .argument("<target>", "dir:PATH")
    .argument("[command...]", "the command (after --); a login shell by default")
    .addHelpText("after", "\nExample:\n  nixos-via enter dir:/srv/roots/web -- cat /run/current-system/nixos-version")
    .action(async (target: string, command: string[]) => {
      exitCode = await enter(target, command, io);
    });

  program
    .command("layout")
    .description("check a disk layout, print its NixOS module, or print the steps that create it")
    .argument("<file>", "disko's disko.devices as JSON")
    .option("--check", "validate only (the default)")
    .option("--nixos-module", "print the NixOS module (fileSystems, swapDevices, boot.initrd.luks.devices)")
    .option("--plan", "print the steps that would create it (needs --disk NAME=DEVICE for each disk)")
    .option("--disk <name=device>", "the device of a disk, for --plan (repeatable)", collect, [])
    .option("--allow-layout-hooks", "accept the layout's hooks (shell code); --plan shows each as a step")
    .option("--json", "print the parsed layout or the problems as JSON")
    .action(async (file: string, options: Parameters<typeof layoutCommand>[1]) => {
      exitCode = await layoutCommand(file, options, io);
    });

  const fleet = program
    .command("fleet")
    .description("a network of hosts (network.nix): store its arguments, plan, and roll it out in waves")
    .addHelpText("after", FLEET_HELP);
  addFleetOptions(
    fleet
      .command("set-args")
      .description("store the network's arguments in its state file, as nixops set-args does")
      .option("--arg <name> <expr>", "an argument as a Nix expression (repeatable)", collectArg("arg"), {})
      .option("--argstr <name> <string>", "an argument as a string (repeatable)", collectArg("argstr"), {})
      .option("--unset <name>", "drop a stored argument: the network's default applies again (repeatable)", collect, []),
  ).action(async (options: Parameters<typeof fleetSetArgs>[0]) => {
    exitCode = await fleetSetArgs(options, io);
  });
  addFleetOptions(fleet.command("info").description("the stored arguments, the hosts they produce, and what each runs now")).action(async (options: Parameters<typeof fleetInfo>[0]) => {
    exitCode = await fleetInfo(options, io);
  });
  addRolloutOptions(fleet.command("plan").description("build every system here and show, per host, install / deploy / unchanged / unreachable, what it would be sent, and the waves")).action(
    async (options: Parameters<typeof fleetPlan>[0]) => {
      exitCode = await fleetPlan(options, io, signal);
    },
  );
  addRolloutOptions(
    fleet
      .command("deploy")
      .description("install the hosts that hold no system and deploy the others: the canary first, then waves; halt when the failure budget is spent")
      .option("-n, --dry-run", "plan everything and show each host's own dry run, touch nothing"),
  ).action(async (options: Parameters<typeof fleetDeploy>[0]) => {
    exitCode = await fleetDeploy(options, io, signal);
  });

  // Without a command there is nothing to do: the usage goes where errors go, as a usage error.
  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return ExitCode.Usage;
  }
  if (options.validateOnly) {
    program.hook("preAction", () => {
      throw new Validated();
    });
  }
  try {
    await program.parseAsync(joinPairedOption(joinPairedOption(joinPairedOption(argv, "--disk-encryption-keys"), "--arg"), "--argstr"), { from: "user" });
  } catch (error) {
    if (error instanceof Validated) return ExitCode.Ok;
    if (error instanceof CommanderError) {
      // `nixos-via fleet` without its subcommand prints the help as an error (exit code 1 from
      // commander): a usage error, as `nixos-via` without a command is.
      const harmless = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code) && error.exitCode === 0;
      return harmless ? ExitCode.Ok : ExitCode.Usage;
    }
    return reportUnexpected(error, io.stderr, wantsDebug(argv));
  }
  return exitCode;
}
