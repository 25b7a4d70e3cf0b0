import { constants } from "node:fs";
import { access, readFile, realpath } from "node:fs/promises";
import { resolve } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import {
  ClosureReadError,
  InvalidSystemError,
  parsePathInfoJson,
  sortByReferences,
  type NixosSystem,
  type TransportError,
} from "@nixos-via/core";
import { execLocal } from "../exec/execLocal.js";
import { nixEnv } from "./nixEnv.js";

const STORE_DIR = "/nix/store";
/** What makes a store path a NixOS system toplevel we can install (NIXOS-FACTS.md). */
const REQUIRED = ["init", "bin/switch-to-configuration", "activate", "system"] as const;

/**
 * Reads a built NixOS system from this machine's Nix store: checks it is a system
 * toplevel, then reads its closure (`nix path-info --json -r`, any Nix since 2.8).
 *
 * @example
 * ```ts
 * const system = await readSystem("./result");
 * if (system.isOk()) console.log(system.value.closure.paths.length, "store paths");
 * ```
 */
export function readSystem(path: string): ResultAsync<NixosSystem, InvalidSystemError | ClosureReadError | TransportError> {
  const given = resolve(path);
  return ResultAsync.fromPromise(realpath(given), (cause) =>
    new InvalidSystemError(path, `${path} does not exist; build the system first or pass its store path`, { cause }),
  )
    .andThen((toplevel) => {
      const rel = toplevel.startsWith(`${STORE_DIR}/`) ? toplevel.slice(STORE_DIR.length + 1) : undefined;
      if (rel === undefined || rel.includes("/")) {
        return errAsync(new InvalidSystemError(path, `${path} is not a store path (it resolves to ${toplevel}); pass a system toplevel under ${STORE_DIR}`));
      }
      return okAsync(toplevel);
    })
    .andThen((toplevel) =>
      ResultAsync.combine(REQUIRED.map((f) => exists(`${toplevel}/${f}`))).andThen((found) => {
        const missing = REQUIRED.filter((_, i) => !found[i]);
        return missing.length > 0
          ? errAsync(
              new InvalidSystemError(
                path,
                `${toplevel} is not a NixOS system: it has no ${missing.join(", ")}; pass config.system.build.toplevel`,
              ),
            )
          : okAsync(toplevel);
      }),
    )
    .andThen((toplevel) =>
      ResultAsync.combine([
        readText(`${toplevel}/system`),
        readText(`${toplevel}/nixos-version`),
        exists(`${toplevel}/sw/bin/nix-store`),
        readClosure(toplevel, path),
        readText(`${toplevel}/bootloader`),
        readText(`${toplevel}/boot.json`),
      ]).map(
        ([system, version, hasNixStore, paths, bootloader, bootspec]): NixosSystem => ({
          toplevel,
          system: (system ?? "").trim(),
          version: version?.trim(),
          nixStore: hasNixStore ? `${toplevel}/sw/bin/nix-store` : undefined,
          needsBootFolder: ["uefi", "hybrid"].includes(bootloader?.trim() ?? "") || hasSystemdBootExtension(bootspec),
          closure: { root: toplevel, paths },
        }),
      ),
    );
}

function readClosure(toplevel: string, given: string) {
  return execLocal(["nix", "path-info", "--json", "-r", toplevel], { env: nixEnv() }).andThen((r) => {
    if (r.exitCode !== 0) {
      return errAsync(
        new InvalidSystemError(given, `${toplevel} is not a valid path in this machine's Nix store (nix path-info failed)`, {
          details: r.stderr.trim(),
        }),
      );
    }
    const infos = parsePathInfoJson(r.stdout, STORE_DIR).andThen(sortByReferences);
    if (infos.isErr()) return errAsync(infos.error);
    if (!infos.value.some((p) => p.path === toplevel)) {
      return errAsync(new ClosureReadError(`nix path-info did not list ${toplevel} in its own closure`));
    }
    return okAsync(infos.value);
  });
}

/** NixOS's systemd-boot module adds this extension to the bootspec (`boot.json`). */
function hasSystemdBootExtension(bootspec: string | undefined): boolean {
  if (bootspec === undefined) return false;
  try {
    const parsed = JSON.parse(bootspec) as unknown;
    return typeof parsed === "object" && parsed !== null && "org.nixos.systemd-boot" in parsed;
  } catch {
    return false;
  }
}

function exists(path: string): ResultAsync<boolean, never> {
  return ResultAsync.fromSafePromise(access(path, constants.F_OK).then(() => true, () => false));
}

function readText(path: string): ResultAsync<string | undefined, never> {
  return ResultAsync.fromSafePromise(readFile(path, "utf8").then((t) => t, () => undefined));
}
