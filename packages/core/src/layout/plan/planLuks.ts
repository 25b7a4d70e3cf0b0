import type { Luks } from "../Layout.js";
import { layoutArgv } from "../layoutScript.js";
import type { ContentSite } from "../walkLayout.js";
import { planned, type PlannedSteps } from "./PlannedSteps.js";
import { NO_UDEV, resolvingPartitions, runStep } from "./runStep.js";

/**
 * Encrypts a device with LUKS and opens it as `/dev/mapper/<name>`; closing it is left for
 * the unmount phase. The key is read on the target: a key file is given to cryptsetup by
 * path, a password file is piped in by the layout script, so neither appears in argv.
 */
export function planLuks(site: ContentSite, luks: Luks): PlannedSteps {
  const settings = luks.settings ?? {};
  const keyFile = typeof settings.keyFile === "string" ? settings.keyFile : luks.keyFile;
  const keyArgs = [
    "--key-file",
    keyFile ?? "-",
    ...(typeof settings.keyFileSize === "number" ? [`--keyfile-size=${settings.keyFileSize}`] : []),
    ...(typeof settings.keyFileOffset === "number" ? [`--keyfile-offset=${settings.keyFileOffset}`] : []),
  ];
  const withKey = (argv: string[]): string[] =>
    keyFile === undefined && luks.passwordFile !== undefined ? layoutArgv("run-with-password", [luks.passwordFile, ...argv]) : resolvingPartitions(argv);
  const dev = site.installDevice;
  const source = keyFile ?? luks.passwordFile ?? "";
  const openFlags = [
    ...(settings.allowDiscards === true ? ["--allow-discards"] : []),
    ...(settings.bypassWorkqueues === true ? ["--perf-no_read_workqueue", "--perf-no_write_workqueue"] : []),
  ];
  // --persistent stores the open flags in the LUKS header, so the installed system opens it the same way.
  const persistent = openFlags.length > 0 ? ["--persistent"] : [];
  // disko authorises each added key with the first key, given the same way as to luksFormat.
  const added = (luks.additionalKeyFiles ?? []).map((file) =>
    runStep("format", `add the key file ${file} (on the target) to ${site.description}`, withKey(["cryptsetup", "luksAddKey", "--batch-mode", ...keyArgs, dev, file]), NO_UDEV),
  );
  return planned({
    steps: [
      runStep(
        "format",
        `encrypt ${site.description} with LUKS (key from ${source} on the target)`,
        withKey(["cryptsetup", "luksFormat", "--batch-mode", ...(luks.extraFormatArgs ?? []), ...keyArgs, dev]),
        NO_UDEV,
      ),
      runStep(
        "format",
        `open ${site.description} as /dev/mapper/${luks.name}`,
        withKey(["cryptsetup", "open", ...openFlags, ...persistent, ...(luks.extraOpenArgs ?? []), ...keyArgs, dev, luks.name]),
        NO_UDEV,
      ),
      ...added,
    ],
    teardown: [runStep("unmount", `close /dev/mapper/${luks.name}`, layoutArgv("close", [luks.name]), NO_UDEV)],
    tools: ["cryptsetup", "sh"],
    kernelFeatures: ["device-mapper", "dm-crypt"],
    keyFiles: [...(source === "" ? [] : [source]), ...(luks.additionalKeyFiles ?? [])],
  });
}
