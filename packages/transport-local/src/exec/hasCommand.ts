import { ResultAsync } from "neverthrow";
import { execLocal } from "./execLocal.js";

/** Whether a command is on this machine's PATH. Never fails: a broken lookup means no. */
export function hasCommand(name: string): ResultAsync<boolean, never> {
  return ResultAsync.fromSafePromise(
    execLocal(["sh", "-c", 'command -v "$1" >/dev/null 2>&1', "has-command", name]).match(
      (r) => r.exitCode === 0,
      () => false,
    ),
  );
}
